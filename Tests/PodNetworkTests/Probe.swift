import CSwiftletNet
import Glibc
import Netlink

/// Reachability checks between namespaces the test created, with sockets made inside them (no
/// ping or nc needed): a TCP connection carrying a few bytes, and an ICMP echo.
enum Probe {
    /// `true` when a client in `client` connects to `address:port` served from `server` and the
    /// server receives what the client sent; the server sees the client's address as `peer`.
    static func tcp(from client: NetworkNamespace, to address: IPAddress, port: UInt16,
                    servedFrom server: NetworkNamespace, listeningOn listenPort: UInt16? = nil) throws -> (reached: Bool, peer: IPAddress?) {
        let family = address.family
        let listener = try server.makeSocket(domain: family, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
        defer { close(listener) }
        var on: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let any: IPAddress = address.isIPv4 ? .v4(0) : .v6(high: 0, low: 0)
        guard withSocketAddress(any, port: listenPort ?? port, { bind(listener, $0, $1) }) == 0, listen(listener, 4) == 0 else {
            return (false, nil)
        }
        let connection = try client.makeSocket(domain: family, type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), protocol: 0)
        defer { close(connection) }
        let started = withSocketAddress(address, port: port) { connect(connection, $0, $1) }
        guard started == 0 || errno == EINPROGRESS, wait(connection, for: Int16(POLLOUT)) else { return (false, nil) }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(connection, SOL_SOCKET, SO_ERROR, &failure, &length)
        guard failure == 0 else { return (false, nil) }
        let message: [UInt8] = Array("swiftlet".utf8)
        _ = message.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
        guard wait(listener, for: Int16(POLLIN)) else { return (false, nil) }
        var storage = sockaddr_storage()
        var storageLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let accepted = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &storageLength) }
        }
        guard accepted >= 0 else { return (false, nil) }
        defer { close(accepted) }
        guard wait(accepted, for: Int16(POLLIN)) else { return (false, nil) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(accepted, $0.baseAddress, $0.count, 0) }
        return (count == message.count && Array(buffer[0..<count]) == message, peerAddress(storage))
    }

    /// `true` when an ICMP echo from `namespace` to `address` is answered within two seconds.
    static func ping(from namespace: NetworkNamespace, to address: IPAddress) throws -> Bool {
        let v4 = address.isIPv4
        let fd = try namespace.makeSocket(domain: address.family, type: Int32(SOCK_RAW.rawValue),
                                          protocol: v4 ? Int32(IPPROTO_ICMP) : Int32(IPPROTO_ICMPV6))
        defer { close(fd) }
        let identifier = UInt16.random(in: 1...UInt16.max)
        var packet: [UInt8] = [v4 ? 8 : 128, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xff), 0, 1]
        packet += Array("swiftlet-probe".utf8)
        if v4 {
            let sum = checksum(packet)
            packet[2] = UInt8(sum >> 8)
            packet[3] = UInt8(sum & 0xff)
        }
        let sent = withSocketAddress(address, port: 0) { target, length in
            packet.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, target, length) }
        }
        guard sent == packet.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 1500)
        let deadline = time(nil) + 3
        while time(nil) < deadline {
            guard wait(fd, for: Int16(POLLIN)) else { return false }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { continue }
            let icmp = v4 ? Int(buffer[0] & 0x0f) * 4 : 0
            guard count >= icmp + 8 else { continue }
            let isReply = buffer[icmp] == (v4 ? 0 : 129)
            let id = UInt16(buffer[icmp + 4]) << 8 | UInt16(buffer[icmp + 5])
            if isReply && id == identifier { return true }
        }
        return false
    }

    private static func wait(_ fd: Int32, for events: Int16) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        return poll(&entry, 1, 2000) == 1 && entry.revents & events != 0
    }

    private static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private static func peerAddress(_ storage: sockaddr_storage) -> IPAddress? {
        var copy = storage
        return withUnsafeBytes(of: &copy) { raw in
            if Int32(storage.ss_family) == AF_INET {
                return IPAddress(bytes: raw[4..<8])
            }
            return IPAddress(bytes: raw[8..<24])
        }
    }

    static func withSocketAddress<T>(_ address: IPAddress, port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        let bytes = address.bytes
        if address.isIPv4 {
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &raw.sin_addr) { $0.copyBytes(from: bytes) }
            return withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var raw = sockaddr_in6()
        raw.sin6_family = sa_family_t(AF_INET6)
        raw.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &raw.sin6_addr) { $0.copyBytes(from: bytes) }
        return withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
}
