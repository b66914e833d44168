import Glibc

/// Reads and writes the per-namespace sysctls under /proc/sys/net (`ip_forward`, `accept_dad`,
/// ...). Keys are paths below /proc/sys, such as `net/ipv4/ip_forward` (slashes, so interface
/// names with dots need no escaping).
public enum Sysctl {
    /// The current value of `key` in `namespace` (the caller's own when `nil`), trimmed.
    public static func read(_ key: String, in namespace: NetworkNamespace? = nil) throws(NetlinkError) -> String {
        let fd = try open(key, flags: O_RDONLY, in: namespace)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = try systemCall("read /proc/sys/\(key)") { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
        return String(decoding: buffer[0..<count], as: UTF8.self).trimmingWhitespace()
    }

    /// Sets `key` to `value` unless it already has that value; returns whether it wrote.
    @discardableResult
    public static func ensure(_ key: String, is value: String, in namespace: NetworkNamespace? = nil) throws(NetlinkError) -> Bool {
        if try read(key, in: namespace) == value { return false }
        try write(key, value, in: namespace)
        return true
    }

    /// Writes `value` to `key` without reading it first.
    public static func write(_ key: String, _ value: String, in namespace: NetworkNamespace? = nil) throws(NetlinkError) {
        let fd = try open(key, flags: O_WRONLY, in: namespace)
        defer { close(fd) }
        let bytes = Array(value.utf8)
        try systemCall("write /proc/sys/\(key)") { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
    }

    private static func open(_ key: String, flags: Int32, in namespace: NetworkNamespace?) throws(NetlinkError) -> Int32 {
        guard !key.contains(".."), !key.hasPrefix("/") else {
            throw .invalidArgument("sysctl key \"\(key)\": expected a relative path under /proc/sys")
        }
        let path = "/proc/sys/" + key
        if let namespace { return try namespace.openFile(path, flags: flags) }
        return try systemCall("open \(path)") { Glibc.open(path, flags | O_CLOEXEC) }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        return String(scalars)
    }
}
