import CSwiftletNetfilter

/// An nftables address family. swiftlet programs `ip`, `ip6` and `inet` tables.
public enum NFFamily: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ip
    case ip6
    case inet

    /// The kernel's `NFPROTO_*` number for this family.
    public var protocolNumber: UInt16 {
        switch self {
        case .ip: UInt16(NFPROTO_IPV4)
        case .ip6: UInt16(NFPROTO_IPV6)
        case .inet: UInt16(NFPROTO_INET)
        }
    }

    /// The family for a kernel `NFPROTO_*` number, or nil for families swiftlet does not program.
    public init?(protocolNumber: UInt32) {
        switch protocolNumber {
        case UInt32(NFPROTO_IPV4): self = .ip
        case UInt32(NFPROTO_IPV6): self = .ip6
        case UInt32(NFPROTO_INET): self = .inet
        default: return nil
        }
    }

    public var description: String { rawValue }
}
