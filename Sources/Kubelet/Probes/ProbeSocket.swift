import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A blocking TCP connection with one deadline for everything done on it, for network probes
/// and hooks. Its work runs on a Dispatch queue, never on Swift's cooperative pool.
struct ProbeSocket: ~Copyable {
    private let fd: Int32
    private let deadline: DispatchTime

    /// Why a connection or exchange failed; the text follows Go's `net` errors where probes
    /// show them.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `host:port` (an IP address or a name) before `deadline`.
    init(host: String, port: Int, deadline: DispatchTime) throws(Failure) {
        self.deadline = deadline
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(description: "dial tcp: lookup \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let address = HTTPProbeRequest.joinHostPort(host, port)
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "dial tcp \(address): socket: \(String(cString: strerror(errno)))") }
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                let message = String(cString: strerror(errno))
                close(fd)
                throw Failure(description: "dial tcp \(address): connect: \(message)")
            }
            guard Self.wait(fd, events: Int16(POLLOUT), until: deadline) else {
                close(fd)
                throw Failure(description: "dial tcp \(address): i/o timeout")
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 {
                close(fd)
                throw Failure(description: "dial tcp \(address): connect: \(String(cString: strerror(error)))")
            }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes all of `bytes` before the deadline.
    func send(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                guard Self.wait(fd, events: Int16(POLLOUT), until: deadline) else { throw Failure(description: "write: i/o timeout") }
            } else {
                throw Failure(description: "write: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads what is available, waiting until the deadline; an empty result means end of stream.
    func receive(max: Int = 16384) throws(Failure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let count = recv(fd, &buffer, max, 0)
            if count >= 0 { return Array(buffer[0..<count]) }
            if errno == EAGAIN || errno == EINTR {
                guard Self.wait(fd, events: Int16(POLLIN), until: deadline) else {
                    throw Failure(description: "read: i/o timeout (Client.Timeout exceeded while awaiting headers)")
                }
                continue
            }
            throw Failure(description: "read: \(String(cString: strerror(errno)))")
        }
    }

    private static func wait(_ fd: Int32, events: Int16, until deadline: DispatchTime) -> Bool {
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            guard deadline.uptimeNanoseconds > now else { return false }
            let milliseconds = Int32(min((deadline.uptimeNanoseconds - now + 999_999) / 1_000_000, UInt64(Int32.max)))
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            return false
        }
    }

    /// Runs blocking socket work on a Dispatch queue and resumes the caller with its result.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
