import NFTables

/// The IP family one proxier programs; kube-proxy runs one proxier per family, each with its
/// own `kube-proxy` table (`ip` or `ip6`).
public enum ProxyIPFamily: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"

    /// The nftables family of this proxier's table.
    public var tableFamily: NFFamily { self == .ipv4 ? .ip : .ip6 }

    /// The set key type of one address.
    public var addressType: NFDataType { self == .ipv4 ? .ipv4Address : .ipv6Address }

    /// The length of one address in bytes.
    public var addressLength: Int { self == .ipv4 ? 4 : 16 }

    var sourceField: NFExpression.PacketField { self == .ipv4 ? .ipv4Source : .ipv6Source }
    var destinationField: NFExpression.PacketField { self == .ipv4 ? .ipv4Destination : .ipv6Destination }

    /// The address bytes of `text` if it is an address of this family.
    public func addressBytes(_ text: String) -> [UInt8]? {
        self == .ipv4 ? NFValue.ipv4(text) : (text.contains(":") ? NFValue.ipv6(text) : nil)
    }

    /// The family of an address in text form, or nil if it is not an address.
    public static func of(_ text: String) -> ProxyIPFamily? {
        if NFValue.ipv4(text) != nil { return .ipv4 }
        if text.contains(":"), NFValue.ipv6(text) != nil { return .ipv6 }
        return nil
    }

    /// The ICMP code of a plain `reject` in this family's table (port unreachable).
    var portUnreachableCode: UInt8 { self == .ipv4 ? 3 : 4 }

    /// The loopback range that NodePorts never answer on (`127.0.0.0/8`, `::1/128`).
    var loopback: CIDR {
        self == .ipv4 ? CIDR(family: .ipv4, network: [127, 0, 0, 0], prefixLength: 8)
            : CIDR(family: .ipv6, network: NFValue.ipv6("::1")!, prefixLength: 128)
    }

    public var description: String { rawValue }
}
