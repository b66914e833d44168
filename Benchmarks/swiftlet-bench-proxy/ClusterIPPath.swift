import BenchReport
import Foundation
import Glibc
import Netlink
import ServiceProxy

/// Three namespaces in a line, as a pod on another node reaches a ClusterIP: a client, the node
/// whose proxier programs the Service rules and forwards between its two links, and a backend
/// whose TCP listener (in this process) is the one endpoint of the measured service. Every path
/// uses the same addresses; paths never share a namespace.
final class ClusterIPPath {
    static let clientAddress = "10.250.1.2"
    static let nodeClientSide = "10.250.1.1"
    static let backendAddress = "10.250.2.2"
    static let nodeBackendSide = "10.250.2.1"
    static let backendPort: UInt16 = 8080

    let client: NetworkNamespace
    let node: NetworkNamespace
    let backend: NetworkNamespace
    private let listener: Int32
    private var proxier: NFTablesProxier?

    init(bench: ProxyBench, role: String) throws {
        let resources = bench.resources
        client = try resources.makeNamespace("\(role)-client")
        node = try resources.makeNamespace("\(role)-node")
        backend = try resources.makeNamespace("\(role)-backend")
        let ip = bench.options.ip
        func name(_ namespace: NetworkNamespace) -> String { URL(fileURLWithPath: namespace.path).lastPathComponent }
        for (peer, link, nodeSide, peerSide) in [(client, "to-client", Self.nodeClientSide, Self.clientAddress),
                                                 (backend, "to-backend", Self.nodeBackendSide, Self.backendAddress)] {
            try resources.run(ip, ["-n", name(node), "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", name(peer)])
            try resources.run(ip, ["-n", name(node), "address", "add", nodeSide + "/24", "dev", link])
            try resources.run(ip, ["-n", name(node), "link", "set", link, "up"])
            try resources.run(ip, ["-n", name(peer), "address", "add", peerSide + "/24", "dev", "eth0"])
            try resources.run(ip, ["-n", name(peer), "link", "set", "eth0", "up"])
            try resources.run(ip, ["-n", name(peer), "route", "add", "default", "via", nodeSide])
        }
        try Sysctl.write("net/ipv4/ip_forward", "1", in: node)
        listener = try Self.listen(in: backend, port: Self.backendPort)
        let listener = self.listener
        // Accepts and closes every connection so the backlog never fills; once the listener is
        // shut down, closes it and ends.
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection >= 0 {
                    Glibc.close(connection)
                } else if errno != EINTR && errno != ECONNABORTED {
                    Glibc.close(listener)
                    return
                }
            }
        }
    }

    /// Programs `services` synthetic services on the node, the one at `target` with the backend
    /// as its only endpoint; returns its ClusterIP.
    func program(services: Int, target: Int, bench: ProxyBench) async throws -> String {
        let workload = SyntheticWorkload(services: services)
        let proxier = try bench.makeProxier(in: node)
        await workload.load(into: proxier)
        var slice = workload.slices[target]
        slice.endpoints = [.init(addresses: [Self.backendAddress], ready: true, nodeName: ProxyBench.hostname)]
        await proxier.updateEndpointSlice(slice)
        _ = try await proxier.sync()
        self.proxier = proxier
        return SyntheticWorkload.clusterIP(target)
    }

    /// One fresh TCP connection from the client to `address:port`: nanoseconds from the start
    /// of `connect()` until it returned established. The connection is then reset (no
    /// TIME_WAIT left behind).
    func connectOnce(to address: String, port: UInt16) throws -> UInt64 {
        let socket = try client.makeSocket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
        defer { Glibc.close(socket) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var target = try Self.socketAddress(address, port: port)
        let start = now()
        let result = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let elapsed = now() - start
        guard result == 0 else { throw BenchError("connect \(address):\(port) from \(client.path): \(String(cString: strerror(errno)))") }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        return elapsed
    }

    /// Shuts the listener down (its thread closes it and ends) and drops the proxier; the
    /// namespaces go with the bench's resources.
    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        proxier = nil
    }

    private static func listen(in namespace: NetworkNamespace, port: UInt16) throws -> Int32 {
        let socket = try namespace.makeSocket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = try socketAddress("0.0.0.0", port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 4096) == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(socket)
            throw BenchError("listen on 0.0.0.0:\(port) in \(namespace.path): \(message)")
        }
        return socket
    }

    private static func socketAddress(_ text: String, port: UInt16) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else { throw BenchError("not an IPv4 address: \(text)") }
        return address
    }
}
