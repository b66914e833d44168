import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP/1.1 server on 127.0.0.1 for the probe tests, one thread per connection:
/// `/ok` 200, `/bad` 500, `/local-redirect` 302 → `/ok`, `/remote-redirect` 302 → the same port
/// on 127.0.0.2, `/loop` 302 → `/loop`, `/slow` answers after 3 s, `/headers` echoes the request
/// head, `/chunked` a chunked 200.
final class TestHTTPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let requests = Mutex<[String]>([])

    /// The request heads received, in order.
    var receivedPaths: [String] { requests.withLock { $0 } }

    init() throws {
        let fd = try Self.listen(host: "0.0.0.0")
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }


    static func listen(host: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        return fd
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return }
            head += buffer[0..<count]
        }
        let text = String(decoding: head, as: UTF8.self)
        let path = text.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        requests.withLock { $0.append(path) }
        let response: String
        switch path {
        case "/ok": response = Self.reply(200, body: "fine")
        case "/bad": response = Self.reply(500, body: "broken")
        case "/local-redirect": response = Self.reply(302, headers: ["Location: /ok"], body: "")
        case "/remote-redirect": response = Self.reply(302, headers: ["Location: http://127.0.0.2:\(port)/ok"], body: "moved")
        case "/loop": response = Self.reply(302, headers: ["Location: /loop"], body: "")
        case "/slow":
            sleep(3)
            response = Self.reply(200, body: "late")
        case "/headers": response = Self.reply(200, body: text)
        case "/chunked":
            response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n"
        default: response = Self.reply(404, body: "no")
        }
        let bytes = Array(response.utf8)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func reply(_ status: Int, headers: [String] = [], body: String) -> String {
        let reason = [200: "OK", 302: "Found", 404: "Not Found", 500: "Internal Server Error"][status] ?? "Status"
        var text = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for header in headers { text += header + "\r\n" }
        return text + "\r\n" + body
    }
}

/// A clock whose sleeps return at once, moving its time forward: the worker loop runs as fast
/// as it can, and the test reads how much clock time passed.
final class SteppingClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Duration.zero)
    var now: Instant { Instant(offset: current.withLock { $0 }) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline.offset) }
        await Task.yield()
    }
}
