#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Checks the textual forms of addresses found in configuration files.
enum NetworkText {
    /// Whether `text` is an IPv4 or IPv6 address (`10.0.0.1`, `fd00::1`).
    static func isIPAddress(_ text: String) -> Bool {
        isIPv4(text) || isIPv6(text)
    }

    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// Whether `text` is a CIDR: an address, `/`, and a prefix length that fits its family.
    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), prefix >= 0, parts[1].allSatisfy(\.isNumber) else {
            return false
        }
        let address = String(parts[0])
        if isIPv4(address) { return prefix <= 32 }
        if isIPv6(address) { return prefix <= 128 }
        return false
    }

    /// Whether `text` is `ip:port` or `[ipv6]:port` with a port in 0–65535.
    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":") else { return false }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isNumber), let port = Int(portText), (0...65535).contains(port) else {
            return false
        }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            return isIPv6(host)
        }
        return isIPv4(host)
    }
}
