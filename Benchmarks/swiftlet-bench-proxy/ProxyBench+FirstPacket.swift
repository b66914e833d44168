import BenchReport
import Foundation

extension ProxyBench {
    /// `first_packet_latency_10` and `_N`: a fresh TCP connection from a client namespace to a
    /// ClusterIP, DNATed by the node's rules to a listener in a backend namespace; the time from
    /// the start of `connect()` until it returned established (the SYN is the packet that walks
    /// the nat chains; later packets follow conntrack). Two paths, one whose node holds 10
    /// services and one with N, measured alternately connection by connection so that a change
    /// in machine load hits both alike; `--connections` per path, at most `--connect-seconds`.
    /// The N row's peer is the 10-service path, so its ratio is N/10.
    func firstPacketLatency() async throws -> [ReportRow] {
        let target = 5
        let sizes = [10, options.scale]
        var paths: [ClusterIPPath] = []
        defer { for path in paths { path.close() } }
        var clusterIP = ""
        for size in sizes {
            let path = try ClusterIPPath(bench: self, role: "packet\(size)")
            paths.append(path)
            clusterIP = try await path.program(services: size, target: target, bench: self)
        }
        // Neighbour entries resolved, the listener's thread running, caches warm: not recorded.
        for _ in 0..<20 {
            for path in paths { _ = try path.connectOnce(to: clusterIP, port: 80) }
        }
        var samples = Array(repeating: [UInt64](), count: paths.count)
        let deadline = Date().addingTimeInterval(Double(options.connectSeconds))
        var connection = 0
        while connection < options.connections, Date() < deadline {
            let order = connection % 2 == 0 ? Array(paths.indices) : paths.indices.reversed()
            for index in order { samples[index].append(try paths[index].connectOnce(to: clusterIP, port: 80)) }
            connection += 1
        }
        if connection < options.connections {
            print("first_packet_latency: stopped after \(options.connectSeconds) s with \(connection) of \(options.connections) connections per path")
        }
        return [
            ReportRow(metric: "first_packet_latency_\(sizes[0])", unit: "us", nanoseconds: samples[0], peer: "-", peerNanoseconds: nil),
            ReportRow(metric: "first_packet_latency_\(sizes[1])", unit: "us", nanoseconds: samples[1],
                      peer: "the same with \(sizes[0]) services", peerNanoseconds: samples[0]),
        ]
    }
}
