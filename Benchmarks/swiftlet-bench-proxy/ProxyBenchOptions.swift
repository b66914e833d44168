/// The command line of swiftlet-bench-proxy.
struct ProxyBenchOptions {
    /// The measurements, by metric family.
    enum Part: String, CaseIterable {
        case fullSync = "full_sync"
        case endpointChange = "endpoint_change"
        case proxyRSS = "proxy_rss"
        case firstPacketLatency = "first_packet_latency"
    }

    /// Service counts of `full_sync`.
    var sizes = [1000, 10_000, 30_000]
    /// `full_sync` runs per size and side.
    var iterations = 3
    /// The service count of `endpoint_change`, `proxy_rss` and the large side of `first_packet_latency`.
    var scale = 10_000
    /// Endpoint changes measured (at least 50).
    var changes = 60
    /// Connections per size in `first_packet_latency` (at least 200).
    var connections = 300
    /// The longest `first_packet_latency` may connect for, in seconds, whatever the count.
    var connectSeconds = 120
    var parts = Set(Part.allCases)
    var swiftlet: String
    var nft = "/usr/sbin/nft"
    var ip = "/usr/sbin/ip"
    /// Where the report JSON goes (none: only printed).
    var output: String?

    static let usage = """
        usage: swiftlet-bench-proxy [--sizes 1000,10000,30000] [--iterations N] [--scale N] [--changes N]
                                    [--connections N] [--connect-seconds N] [--only PART,...] [--swiftlet PATH]
                                    [--nft PATH] [--ip PATH] [--output FILE]
        PART: full_sync, endpoint_change, proxy_rss, first_packet_latency
        """

    init(_ arguments: [String], swiftlet: String) throws {
        self.swiftlet = swiftlet
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\(Self.usage)") }
            switch flag {
            case "--sizes": sizes = try value.split(separator: ",").map { try Self.count(String($0), flag) }
            case "--iterations": iterations = try Self.count(value, flag)
            case "--scale": scale = try Self.count(value, flag)
            case "--changes": changes = try Self.count(value, flag, minimum: 50)
            case "--connections": connections = try Self.count(value, flag, minimum: 200)
            case "--connect-seconds": connectSeconds = try Self.count(value, flag)
            case "--swiftlet": self.swiftlet = value
            case "--nft": nft = value
            case "--ip": ip = value
            case "--output": output = value
            case "--only":
                parts = try Set(value.split(separator: ",").map { name in
                    guard let part = Part(rawValue: String(name)) else {
                        throw BenchError("--only: expected \(Part.allCases.map(\.rawValue).joined(separator: ", ")), got \(name)")
                    }
                    return part
                })
            default: throw BenchError("unknown option \(flag)\n\(Self.usage)")
            }
        }
        guard !sizes.isEmpty else { throw BenchError("--sizes: expected at least one service count") }
        guard scale >= 10 else { throw BenchError("--scale: expected at least 10 services, got \(scale)") }
    }

    private static func count(_ text: String, _ flag: String, minimum: Int = 1) throws -> Int {
        guard let value = Int(text), value >= minimum else { throw BenchError("\(flag): expected a number of at least \(minimum), got \(text)") }
        return value
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
