import Foundation

/// The node's name and addresses as the kubelet reports them in standalone use.
public struct NodeIdentity: Sendable, Equatable {
    /// The node's name: static pod names end in `-<nodeName>`.
    public var name: String
    /// The node's addresses (`status.hostIP(s)`): IPv4 first, then IPv6.
    public var addresses: [String]

    public init(name: String, addresses: [String]) {
        self.name = name
        self.addresses = addresses
    }

    /// The identity of this machine: the name is `hostnameOverride` (KubeProxyConfiguration, the
    /// one document that carries it) or the host name, lower-cased as upstream does; the addresses
    /// are the non-loopback, non-link-local addresses of the agent's network namespace.
    public static func current(_ node: NodeConfiguration) -> NodeIdentity {
        let override = node.proxy.hostnameOverride.trimmingCharacters(in: .whitespaces)
        return NodeIdentity(name: (override.isEmpty ? hostName() : override).lowercased(), addresses: interfaceAddresses())
    }

    /// `gethostname(2)`, without a DNS lookup.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The addresses of the interfaces that are up, loopback and link-local left out.
    static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var v4: [String] = []
        var v6: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = Int32(entry.pointee.ifa_flags)
            guard let address = entry.pointee.ifa_addr, flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0 else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if family == AF_INET {
                if !v4.contains(text) { v4.append(text) }
            } else if !text.lowercased().hasPrefix("fe80"), !v6.contains(text) {
                v6.append(text)
            }
        }
        return v4 + v6
    }
}
