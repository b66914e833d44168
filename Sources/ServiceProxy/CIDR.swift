/// An address range in CIDR form (`10.0.0.0/8`, `fd00::/64`), as the configuration and
/// `loadBalancerSourceRanges` give them.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public var family: ProxyIPFamily
    /// The network address, with the host bits cleared.
    public var network: [UInt8]
    public var prefixLength: Int

    init(family: ProxyIPFamily, network: [UInt8], prefixLength: Int) {
        self.family = family
        self.prefixLength = prefixLength
        self.network = zip(network, Self.mask(length: network.count, prefix: prefixLength)).map { $0 & $1 }
    }

    /// Parses `address/prefix`; a bare address is a range of one.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let family = ProxyIPFamily.of(first), let bytes = family.addressBytes(first) else { return nil }
        let maximum = bytes.count * 8
        var prefix = maximum
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 0, value <= maximum else { return nil }
            prefix = value
        }
        self.init(family: family, network: bytes, prefixLength: prefix)
    }

    /// The netmask bytes of this range.
    public var mask: [UInt8] { Self.mask(length: network.count, prefix: prefixLength) }

    /// Whether `address` (bytes of the same family) lies in this range.
    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == network.count else { return false }
        return zip(zip(address, mask), network).allSatisfy { $0.0 & $0.1 == $1 }
    }

    static func mask(length: Int, prefix: Int) -> [UInt8] {
        (0..<length).map { index in
            let bits = min(max(prefix - index * 8, 0), 8)
            return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }

    public var description: String {
        "\(AddressText.format(network))/\(prefixLength)"
    }
}
