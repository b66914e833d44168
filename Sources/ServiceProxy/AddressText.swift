import Glibc

/// Formats address bytes as text (`10.0.0.1`, `fd00::1`), the way `nft` and Kubernetes print them.
enum AddressText {
    static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { raw in
            for (index, byte) in bytes.prefix(16).enumerated() { raw[index] = byte }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The canonical text of an address given in any form (so `fd00:0::1` and `fd00::1` agree).
    static func canonical(_ text: String) -> String {
        guard let family = ProxyIPFamily.of(text), let bytes = family.addressBytes(text) else { return text }
        return format(bytes)
    }
}
