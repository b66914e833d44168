// BenchReport: the one result format every benchmark suite prints and writes, so that
// `scripts/bench SUITE` gives the same table and the same Benchmarks/results/SUITE.json whichever
// executable measured it.

import Foundation

/// One metric of a suite: our figures and the peer's, measured in the same run.
public struct ReportRow: Sendable {
    public var metric: String
    /// The unit of `median`, `p99` and `peerMedian`.
    public var unit: String
    public var median: Double
    public var p99: Double
    /// What the peer is, in words a reader recognises; `-` when there is none.
    public var peer: String
    public var peerMedian: Double?

    public init(metric: String, unit: String, median: Double, p99: Double, peer: String, peerMedian: Double?) {
        self.metric = metric
        self.unit = unit
        self.median = median
        self.p99 = p99
        self.peer = peer
        self.peerMedian = peerMedian
    }

    /// Ours over the peer's median: below 1 is faster (or smaller) than the peer.
    public var ratio: Double? { peerMedian.map { median / $0 } }

    /// A row from nanosecond samples, shown in `unit` (`ms`, `us` or `ns`).
    public init(metric: String, unit: String, nanoseconds ours: [UInt64], peer: String, peerNanoseconds: [UInt64]?) {
        let scale = unit == "ms" ? 1e6 : unit == "us" ? 1e3 : 1
        self.init(
            metric: metric, unit: unit, median: Self.median(ours) / scale, p99: Self.percentile(ours, 99) / scale, peer: peer,
            peerMedian: peerNanoseconds.map { Self.median($0) / scale })
    }

    /// The median (the mean of the middle two for an even count).
    public static func median<T: BinaryInteger>(_ values: [T]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    }

    /// The nearest-rank percentile `p` (0–100); with few samples, the maximum.
    public static func percentile<T: BinaryInteger>(_ values: [T], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return Double(sorted[max(0, min(sorted.count - 1, rank - 1))])
    }
}

/// Prints a suite's results as a table and writes them as JSON, one object per metric with
/// `metric`, `unit`, `median`, `p99`, `peer`, `peer_median` and `ratio`.
public enum Report {
    public static func table(_ suite: String, _ results: [ReportRow]) -> String {
        var lines = ["suite \(suite)"]
        let header = ["metric", "unit", "median", "p99", "peer", "peer median", "ratio"]
        var rows = [header]
        for result in results {
            rows.append([
                result.metric, result.unit, format(result.median), format(result.p99), result.peer,
                result.peerMedian.map(format) ?? "-", result.ratio.map { String(format: "%.3f", $0) } ?? "-",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    public static func write(_ results: [ReportRow], to path: String) throws {
        let objects: [[String: Any]] = results.map { result in
            [
                "metric": result.metric,
                "unit": result.unit,
                "median": round3(result.median),
                "p99": round3(result.p99),
                "peer": result.peer,
                "peer_median": result.peerMedian.map(round3) ?? NSNull(),
                "ratio": result.ratio.map { (($0 * 10_000).rounded()) / 10_000 } ?? NSNull(),
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Prints the table and, with `output`, writes the JSON and says where.
    public static func emit(_ suite: String, _ results: [ReportRow], output: String?) throws {
        print(table(suite, results))
        if let output {
            try write(results, to: output)
            print("wrote \(output)")
        }
    }

    private static func format(_ value: Double) -> String { String(format: "%.3f", value) }
    private static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
