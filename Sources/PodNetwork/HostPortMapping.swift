import Netlink

/// A container port published on the node (`hostPort`), in CNI's `portMappings` shape.
public struct HostPortMapping: Sendable, Hashable, Codable {
    /// The transport protocol.
    public enum TransportProtocol: String, Sendable, Hashable, Codable {
        case tcp, udp, sctp
    }

    /// The port on the node.
    public var hostPort: UInt16
    /// The port inside the pod.
    public var containerPort: UInt16
    /// `tcp`, `udp` or `sctp`.
    public var `protocol`: TransportProtocol
    /// Only this node address, when set.
    public var hostIP: IPAddress?

    /// A mapping of `hostPort` to `containerPort`.
    public init(hostPort: UInt16, containerPort: UInt16, protocol: TransportProtocol = .tcp, hostIP: IPAddress? = nil) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
}
