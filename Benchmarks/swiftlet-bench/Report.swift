import Foundation

/// Prints a suite's results as a table and writes them as JSON, one object per metric with
/// `metric`, `unit`, `median`, `p99`, `peer`, `peer_median` and `ratio`.
enum Report {
    static func table(_ suite: String, _ results: [MetricResult]) -> String {
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

    static func write(_ results: [MetricResult], to path: String) throws {
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

    private static func format(_ value: Double) -> String { String(format: "%.3f", value) }
    private static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
