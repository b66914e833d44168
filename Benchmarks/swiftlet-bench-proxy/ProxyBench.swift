import BenchReport
import Foundation
import Glibc
import NFTables
import Netlink
import ServiceProxy

/// The measurements of swiftlet-bench-proxy, sharing the options, the things the run made and
/// the proxier configuration (that of `swiftlet proxy run` with a cluster CIDR).
struct ProxyBench {
    let options: ProxyBenchOptions
    let resources: BenchResources

    /// Pod addresses of the synthetic workload are in 10.128.0.0/9; services in 10.96.0.0/12.
    static let clusterCIDR = "10.128.0.0/9"
    static let hostname = "bench-node"

    var configuration: ProxyConfiguration {
        ProxyConfiguration(family: .ipv4, clusterCIDR: CIDR(Self.clusterCIDR), hostname: Self.hostname)
    }

    /// A proxier programming `namespace`.
    func makeProxier(in namespace: NetworkNamespace) throws -> NFTablesProxier {
        NFTablesProxier(configuration: configuration, connection: try NetfilterConnection(networkNamespace: namespace.path))
    }

    /// Runs `nft -f file` inside `namespace`; returns how long it took, spawn to exit.
    func nftLoad(_ file: String, in namespace: NetworkNamespace) throws -> UInt64 {
        let start = now()
        try resources.run(options.nft, ["-f", file], in: namespace)
        return now() - start
    }

    /// The chain names of the kube-proxy table in `namespace`, as `nft list chains` prints them.
    func chainNames(in namespace: NetworkNamespace) throws -> Set<String> {
        let listing = try resources.run(options.nft, ["list", "chains", "ip"], in: namespace)
        return Set(listing.split(separator: "\n").compactMap { line -> String? in
            let words = line.split { $0 == " " || $0 == "\t" }
            guard words.count >= 2, words[0] == "chain" else { return nil }
            return String(words[1])
        })
    }

    /// Writes `text` to a new file in `directory`.
    func write(_ text: String, to directory: String, name: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// Runs every part the options ask for, in the order of the report.
    func run() async throws -> [ReportRow] {
        var rows: [ReportRow] = []
        if options.parts.contains(.fullSync) { rows += try await fullSync() }
        if options.parts.contains(.endpointChange) { rows += try await endpointChange() }
        if options.parts.contains(.proxyRSS) { rows += try await proxyRSS() }
        if options.parts.contains(.firstPacketLatency) { rows += try await firstPacketLatency() }
        return rows
    }
}


/// The 1-, 5- and 15-minute load averages, as /proc/loadavg has them.
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// `1.234 ms` for nanoseconds.
func milliseconds(_ nanoseconds: Double) -> String {
    String(format: "%.3f ms", nanoseconds / 1e6)
}

/// Whole nanoseconds of `duration` (negative durations count as zero).
func nanoseconds(_ duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    return UInt64(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
}
