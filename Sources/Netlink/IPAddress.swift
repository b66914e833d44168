import Glibc

/// An IPv4 or IPv6 address, kept as integers so address arithmetic (IPAM) is cheap.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// An IPv4 address in host byte order.
    case v4(UInt32)
    /// An IPv6 address as its high and low 64 bits, in host byte order.
    case v6(high: UInt64, low: UInt64)

    /// Parses dotted-quad IPv4 or RFC 4291 text IPv6; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        if string.contains(":") {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, string, &raw) == 1 else { return nil }
            self.init(bytes: withUnsafeBytes(of: raw) { Array($0) })
        } else {
            var raw = in_addr()
            guard inet_pton(AF_INET, string, &raw) == 1 else { return nil }
            self = .v4(UInt32(bigEndian: raw.s_addr))
        }
    }

    /// An address from its network-order bytes: 4 for IPv4, 16 for IPv6.
    public init?(bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        switch array.count {
        case 4:
            self = .v4(array.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            let high = array[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = array[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high: high, low: low)
        default:
            return nil
        }
    }

    /// The address in network byte order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// `true` for IPv4.
    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// The address family constant (`AF_INET` or `AF_INET6`).
    public var family: Int32 { isIPv4 ? AF_INET : AF_INET6 }

    /// The number of bits in an address of this family.
    public var bitWidth: Int { isIPv4 ? 32 : 128 }

    /// This address plus `offset`, or `nil` when that leaves the address space.
    public func advanced(by offset: UInt64) -> IPAddress? {
        switch self {
        case .v4(let value):
            let (sum, overflow) = UInt64(value).addingReportingOverflow(offset)
            guard !overflow, sum <= UInt64(UInt32.max) else { return nil }
            return .v4(UInt32(sum))
        case .v6(let high, let low):
            let (sum, carry) = low.addingReportingOverflow(offset)
            if !carry { return .v6(high: high, low: sum) }
            guard high < UInt64.max else { return nil }
            return .v6(high: high + 1, low: sum)
        }
    }

    public var description: String {
        if case .v4(let value) = self {
            // Dotted quad without inet_ntop's buffers: addresses are formatted for every lease record.
            var text = ""
            text.reserveCapacity(15)
            for shift in stride(from: 24, through: 0, by: -8) {
                if shift != 24 { text.append(".") }
                text += String(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
            }
            return text
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let raw = bytes
        let ok = raw.withUnsafeBytes { source in
            inet_ntop(family, source.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        case (.v6(let ah, let al), .v6(let bh, let bl)): (ah, al) < (bh, bl)
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected an IP address, got \"\(text)\""))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
