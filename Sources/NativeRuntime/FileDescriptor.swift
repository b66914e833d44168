import CSwiftletRuntime
import Glibc

/// An owned file descriptor, closed when the value goes away. Ownership moves with `consume`;
/// `take()` hands the raw number over to a caller that closes it itself.
struct FileDescriptor: ~Copyable {
    private(set) var rawValue: Int32

    init(adopting rawValue: Int32) { self.rawValue = rawValue }

    /// Opens `path`; the descriptor is always close-on-exec.
    init(opening path: String, flags: Int32, mode: mode_t = 0o644) throws(SystemCallError) {
        rawValue = try Syscall.retrying("open", path) { open(path, flags | O_CLOEXEC, mode) }
    }

    /// Gives up ownership of the descriptor without closing it.
    consuming func take() -> Int32 {
        let value = rawValue
        discard self
        return value
    }

    deinit { if rawValue >= 0 { close(rawValue) } }

    /// Writes every byte.
    func writeAll(_ bytes: some Collection<UInt8>) throws(SystemCallError) {
        var remaining = Array(bytes)[...]
        while !remaining.isEmpty {
            let fd = rawValue
            // send(MSG_NOSIGNAL) on sockets and write on anything else: EPIPE, never SIGPIPE.
            let written = try Syscall.retrying("write") {
                remaining.withUnsafeBytes { buffer -> Int in
                    let sent = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
                    if sent < 0 && errno == ENOTSOCK { return write(fd, buffer.baseAddress, buffer.count) }
                    return sent
                }
            }
            remaining = remaining.dropFirst(written)
        }
    }

    /// Reads until end of file.
    func readAll() throws(SystemCallError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let fd = rawValue
        while true {
            let count = try Syscall.retrying("read") { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if count == 0 { return result }
            result += buffer[0..<count]
        }
    }
}

/// A pipe: both ends close-on-exec.
struct Pipe: ~Copyable {
    var readEnd: FileDescriptor
    var writeEnd: FileDescriptor

    init() throws(SystemCallError) {
        var fds: [Int32] = [-1, -1]
        try Syscall.retrying("pipe2") { SL_pipe_cloexec(&fds) }
        readEnd = FileDescriptor(adopting: fds[0])
        writeEnd = FileDescriptor(adopting: fds[1])
    }
}
