import NFTables

/// The transport protocol of a service port.
public enum TransportProtocol: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    /// The IP protocol number (`inet_proto`).
    public var number: UInt8 {
        switch self {
        case .tcp: NFValue.tcp
        case .udp: NFValue.udp
        case .sctp: NFValue.sctp
        }
    }

    /// The lower-case name nft and upstream's chain names use.
    public var nftName: String { rawValue.lowercased() }

    public var description: String { rawValue }
}
