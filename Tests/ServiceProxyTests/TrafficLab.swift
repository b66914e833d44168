import Foundation
import NFTables
@testable import ServiceProxy

/// A small cluster in network namespaces: a node with the proxier's table, a client outside the
/// cluster (10.1.0.2, reaching the node at 10.1.0.1), and three backends `B1`...`B3` at
/// 10.244.k.5 (with 10.244.k.7 and 10.244.k.9 as second addresses), each serving
/// `/cgi-bin/id` over HTTP on 8080, answering `Bk <client address>`.
final class TrafficLab {
    let node: TestNamespace
    let client: TestNamespace
    let backends: [TestNamespace]
    let files: TemporaryDirectory
    let proxier: NFTablesProxier
    let metrics = ProxyMetrics()

    init(dispatch: ProxyConfiguration.EndpointDispatch = .verdictMap) throws {
        node = try TestNamespace("node")
        client = try TestNamespace("client")
        backends = try (1...3).map { try TestNamespace("b\($0)") }
        files = try TemporaryDirectory()

        try node.link(to: client, localName: "c0", local: "10.1.0.1/24", remoteName: "eth0", remote: "10.1.0.2/24")
        try client.ip("route add default via 10.1.0.1")
        // An uplink for the default route (a veth pair kept in the node: the kernel here has no
        // dummy devices), so traffic to unknown service addresses takes the forward path.
        try node.ip("link add up0 type veth peer name up1")
        try node.ip("link set up0 up")
        try node.ip("link set up1 up")
        try node.ip("route add default dev up0")
        try node.exec(["/usr/sbin/sysctl", "-qw", "net.ipv4.ip_forward=1"])
        for (index, backend) in backends.enumerated() {
            let k = index + 1
            try node.link(to: backend, localName: "b\(k)", local: "10.244.\(k).1/24", remoteName: "eth0", remote: "10.244.\(k).5/24")
            try backend.ip("addr add 10.244.\(k).7/24 dev eth0")
            try backend.ip("addr add 10.244.\(k).9/24 dev eth0")
            try backend.ip("route add default via 10.244.\(k).1")
            let root = files.url.appendingPathComponent("b\(k)")
            let cgi = root.appendingPathComponent("cgi-bin")
            try FileManager.default.createDirectory(at: cgi, withIntermediateDirectories: true)
            let script = cgi.appendingPathComponent("id")
            try "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"B\(k) $REMOTE_ADDR\"\n".write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            try backend.start([KernelEnvironment.busybox, "httpd", "-f", "-p", "8080", "-h", root.path])
        }
        proxier = NFTablesProxier(configuration: Fixture.configuration(nodeIP: "10.1.0.1", dispatch: dispatch),
                                  connection: try NetfilterConnection(networkNamespace: node.path),
                                  conntrack: try NetlinkConntrack(networkNamespace: node.path), metrics: metrics)
        try waitForBackends()
    }

    private func waitForBackends() throws {
        for (index, backend) in backends.enumerated() {
            var ready = false
            for _ in 0..<50 where !ready {
                ready = (try? backend.exec([KernelEnvironment.busybox, "wget", "-q", "-O", "-", "http://10.244.\(index + 1).5:8080/cgi-bin/id"])) != nil
                if !ready { usleep(50_000) }
            }
            guard ready else { throw CommandFailure(command: ["httpd"], status: -1, output: "backend B\(index + 1) did not start") }
        }
    }

    /// One HTTP request from the client (`busybox nc`: busybox's wget crashes on connection
    /// errors); the answer (`Bk address`) or the failure, whose output says why.
    func get(_ host: String, _ port: UInt16) -> Result<String, CommandFailure> {
        do {
            let response = try client.exec([KernelEnvironment.busybox, "nc", "-w", "3", host, String(port)],
                                           input: "GET /cgi-bin/id HTTP/1.0\r\n\r\n")
            guard response.hasPrefix("HTTP/1.1 200") || response.hasPrefix("HTTP/1.0 200"),
                  let body = response.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                return .failure(CommandFailure(command: ["nc", host, String(port)], status: 0, output: "unexpected response: \(response)"))
            }
            // busybox httpd listens on IPv6 and reports IPv4 clients as `[::ffff:a.b.c.d]`.
            let plain = body.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "[::ffff:", with: "").replacingOccurrences(of: "]", with: "")
            return .success(plain)
        } catch let failure as CommandFailure {
            return .failure(failure)
        } catch {
            return .failure(CommandFailure(command: ["nc", host, String(port)], status: -1, output: "\(error)"))
        }
    }

    /// Which backend answered each of `count` requests, by name (`B1`...).
    func backendCounts(_ host: String, _ port: UInt16, count: Int) -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<count {
            switch get(host, port) {
            case .success(let answer): counts[String(answer.split(separator: " ").first ?? ""), default: 0] += 1
            case .failure: counts["failed", default: 0] += 1
            }
        }
        return counts
    }
}
