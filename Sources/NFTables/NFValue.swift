import Glibc

/// Byte encodings of the values rules and elements compare against, in the byte order the
/// kernel sees them (network order for packet fields, host order for metadata such as marks).
public enum NFValue {
    /// An IPv4 address in dotted-quad form, or nil if `text` is not one: four decimal numbers
    /// up to 255, separated by dots. Read byte by byte, as a full sync reads every address of
    /// the cluster.
    public static func ipv4(_ text: String) -> [UInt8]? {
        var address: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                address = address << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard part <= 255 else { return nil }
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        address = address << 8 | part
        return [UInt8(address >> 24), UInt8(truncatingIfNeeded: address >> 16),
                UInt8(truncatingIfNeeded: address >> 8), UInt8(truncatingIfNeeded: address)]
    }

    /// An IPv6 address in any textual form `inet_pton` accepts, or nil if `text` is not one.
    public static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    /// A port (or any 16-bit packet field) in network byte order.
    public static func port(_ port: UInt16) -> [UInt8] {
        [UInt8(port >> 8), UInt8(port & 0xff)]
    }

    /// A 32-bit value in network byte order.
    public static func bigEndian32(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// A 32-bit value in host byte order (packet marks, numgen results, verdict map keys).
    public static func host32(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    /// An IP protocol number (`inet_proto`): one byte.
    public static func inetProto(_ number: UInt8) -> [UInt8] { [number] }

    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let sctp: UInt8 = 132
}
