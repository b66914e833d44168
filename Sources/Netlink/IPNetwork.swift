/// An address with a prefix length, as in `10.244.1.5/24` or `fd00::/64`. The address may be a
/// host inside the network (an interface address) or the network itself (a CIDR).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The address as written.
    public var address: IPAddress
    /// The number of leading bits that name the network.
    public var prefixLength: Int

    /// An address with a prefix length; `nil` when the length is outside the family's width.
    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.bitWidth else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `address/length`; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]), let length = Int(parts[1]) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// The network address: the host bits cleared.
    public var network: IPAddress {
        switch address {
        case .v4(let value):
            let mask: UInt32 = prefixLength == 0 ? 0 : UInt32.max << (32 - prefixLength)
            return .v4(value & mask)
        case .v6(let high, let low):
            let highMask: UInt64 = prefixLength >= 64 ? .max : (prefixLength == 0 ? 0 : UInt64.max << (64 - prefixLength))
            let lowMask: UInt64 = prefixLength <= 64 ? 0 : (prefixLength == 128 ? .max : UInt64.max << (128 - prefixLength))
            return .v6(high: high & highMask, low: low & lowMask)
        }
    }

    /// The last address of the network (the IPv4 broadcast address).
    public var lastAddress: IPAddress {
        let hostBits = address.bitWidth - prefixLength
        switch network {
        case .v4(let value):
            return .v4(value | (hostBits == 0 ? 0 : UInt32.max >> (32 - hostBits)))
        case .v6(let high, let low):
            let lowFill: UInt64 = hostBits >= 64 ? .max : (hostBits == 0 ? 0 : UInt64.max >> (64 - hostBits))
            let highFill: UInt64 = hostBits <= 64 ? 0 : (hostBits == 128 ? .max : UInt64.max >> (128 - hostBits))
            return .v6(high: high | highFill, low: low | lowFill)
        }
    }

    /// This network in canonical form (host bits cleared).
    public var canonical: IPNetwork { IPNetwork(address: network, prefixLength: prefixLength)! }

    /// `true` when `other` lies inside this network.
    public func contains(_ other: IPAddress) -> Bool {
        guard other.isIPv4 == address.isIPv4 else { return false }
        return IPNetwork(address: other, prefixLength: prefixLength)!.network == network
    }

    /// `true` when the two networks share at least one address.
    public func overlaps(_ other: IPNetwork) -> Bool {
        guard other.address.isIPv4 == address.isIPv4 else { return false }
        return contains(other.network) || other.contains(network)
    }

    /// The number of host addresses after the network address, capped at `UInt64.max`.
    public var hostCount: UInt64 {
        let hostBits = address.bitWidth - prefixLength
        return hostBits >= 64 ? .max : (UInt64(1) << UInt64(hostBits)) - 1
    }

    public var description: String { "\(address)/\(prefixLength)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let network = IPNetwork(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected an address with a prefix length (CIDR), got \"\(text)\""))
        }
        self = network
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
