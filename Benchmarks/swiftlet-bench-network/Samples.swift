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

    /// How far the ratio of medians (`ours` over `peer`) moves when the measurement is repeated:
    /// the 2.5 % and 97.5 % quantiles of that ratio over `resamples` resamplings of the
    /// iterations. Sample `i` of both sides was taken in the same iteration (the sides are
    /// interleaved), so an iteration is drawn as a pair and a load change shared by both sides
    /// stays shared. The generator is seeded, so a run's figures are reproducible from its samples.
    static func pairedRatioInterval(ours: Samples, peer: Samples, resamples: Int = 2000) -> (low: Double, high: Double)? {
        let count = min(ours.values.count, peer.values.count)
        guard count >= 10 else { return nil }
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> Int {
            // SplitMix64
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return Int((z ^ (z >> 31)) % UInt64(count))
        }
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        var mine = Samples(), theirs = Samples()
        for _ in 0..<resamples {
            mine.values.removeAll(keepingCapacity: true)
            theirs.values.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                let index = next()
                mine.append(ours.values[index])
                theirs.append(peer.values[index])
            }
            ratios.append(mine.median / theirs.median)
        }
        ratios.sort()
        return (ratios[Int(Double(resamples) * 0.025)], ratios[Int(Double(resamples) * 0.975) - 1])
    }

    /// `pod_network_add [1 pod] n=50 median 0.41 ms p99 0.8 ms | peer median 12.3 ms p99 20.1 ms | ratio 0.033 (95 % 0.030-0.036)`
    static func report(metric: String, scenario: String, ours: Samples, peer: Samples) -> String {
        let ratio = ours.median / peer.median
        let interval = pairedRatioInterval(ours: ours, peer: peer).map { " (95 % \(rounded($0.low))-\(rounded($0.high)))" } ?? ""
        return "\(metric) [\(scenario)] n=\(ours.values.count) median \(milliseconds(ours.median)) p99 \(milliseconds(ours.quantile(0.99)))"
            + " | peer median \(milliseconds(peer.median)) p99 \(milliseconds(peer.quantile(0.99)))"
            + " | ratio \(rounded(ratio))\(interval)"
    }

    private static func rounded(_ ratio: Double) -> Double {
        (ratio * 1000).rounded() / 1000
    }

    /// One side alone: `pod_network_add [1 pod] swiftlet n=50 median 0.41 ms p99 0.8 ms`
    static func report(metric: String, scenario: String, side: String, samples: Samples) -> String {
        "\(metric) [\(scenario)] \(side) n=\(samples.values.count) median \(milliseconds(samples.median)) p99 \(milliseconds(samples.quantile(0.99)))"
    }
}
