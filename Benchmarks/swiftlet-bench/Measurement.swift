import BenchReport
import Foundation

/// The wall-clock samples of one metric, ours or a peer's, in nanoseconds.
struct Samples: Sendable {
    var nanoseconds: [UInt64]

    /// The median, in nanoseconds (the mean of the middle two for an even count).
    var median: Double { percentile(50) }
    /// The 99th percentile, in nanoseconds, by nearest rank (with few samples: the maximum).
    var p99: Double { percentile(99) }

    /// The nearest-rank percentile `p` (0–100); the median averages the middle pair.
    func percentile(_ p: Double) -> Double {
        let sorted = nanoseconds.sorted()
        guard !sorted.isEmpty else { return .nan }
        if p == 50 {
            let middle = sorted.count / 2
            return sorted.count % 2 == 1
                ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
        }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return Double(sorted[max(0, min(sorted.count - 1, rank - 1))])
    }

    /// Times `iterations` runs of `body` after `warmup` untimed ones.
    static func measure(iterations: Int, warmup: Int = 2, _ body: () throws -> Void) rethrows -> Samples {
        for _ in 0..<warmup { try body() }
        var samples: [UInt64] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(DispatchTime.now().uptimeNanoseconds - start)
        }
        return Samples(nanoseconds: samples)
    }
}

/// One row of a suite's results: our figures and the peer's, measured in the same run.
struct MetricResult: Sendable {
    var metric: String
    /// The unit of `median`, `p99` and `peerMedian`.
    var unit: String
    var ours: Samples
    /// What the peer is, in words a reader recognises (`python3 json + kubernetes client`).
    var peer: String
    var peerSamples: Samples?

    /// Nanoseconds per unit.
    var scale: Double { unit == "ms" ? 1e6 : unit == "us" ? 1e3 : 1 }
    var median: Double { ours.median / scale }
    var p99: Double { ours.p99 / scale }
    var peerMedian: Double? { peerSamples.map { $0.median / scale } }
    /// Ours over the peer's median: below 1 is faster than the peer.
    var ratio: Double? { peerMedian.map { median / $0 } }
}

extension MetricResult {
    /// The row the shared report prints and writes.
    var row: ReportRow {
        ReportRow(metric: metric, unit: unit, median: median, p99: p99, peer: peer, peerMedian: peerMedian)
    }
}
