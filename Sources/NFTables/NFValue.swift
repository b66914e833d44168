import Glibc

/// Byte encodings of the values rules and elements compare against, in the byte order the
/// kernel sees them (network order for packet fields, host order for metadata such as marks).
public enum NFValue {
    /// An IPv4 address in dotted-quad form, or nil if `text` is not one.
    public static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            bytes.append(byte)
        }
        return bytes
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
