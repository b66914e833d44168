/// Durations of one metric in nanoseconds, and the figures the bench prints.
struct Samples {
    private(set) var values: [UInt64] = []

    mutating func append(_ nanoseconds: UInt64) { values.append(nanoseconds) }

    /// The value at quantile `q` (nearest rank).
    func quantile(_ q: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))
        return Double(sorted[rank])
    }

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    }

    static func milliseconds(_ nanoseconds: Double) -> String {
        let value = nanoseconds / 1_000_000
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled) ms"
    }

    /// `pod_network_add [1 pod] n=50 median 0.41 ms p99 0.8 ms | peer median 12.3 ms p99 20.1 ms | ratio 0.033`
    static func report(metric: String, scenario: String, ours: Samples, peer: Samples) -> String {
        let ratio = ours.median / peer.median
        return "\(metric) [\(scenario)] n=\(ours.values.count) median \(milliseconds(ours.median)) p99 \(milliseconds(ours.quantile(0.99)))"
            + " | peer median \(milliseconds(peer.median)) p99 \(milliseconds(peer.quantile(0.99)))"
            + " | ratio \((ratio * 1000).rounded() / 1000)"
    }

    /// One side alone: `pod_network_add [1 pod] swiftlet n=50 median 0.41 ms p99 0.8 ms`
    static func report(metric: String, scenario: String, side: String, samples: Samples) -> String {
        "\(metric) [\(scenario)] \(side) n=\(samples.values.count) median \(milliseconds(samples.median)) p99 \(milliseconds(samples.quantile(0.99)))"
    }
}
