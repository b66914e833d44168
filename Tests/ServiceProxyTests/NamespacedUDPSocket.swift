import CSwiftletNet
import CSwiftletNetfilter
import Foundation
import Glibc
import Synchronization

/// A UDP socket created inside a network namespace (the calling thread enters it only while
/// the socket is made), for the UDP service tests: a backend that answers with its name, or a
/// client with a fixed source port.
final class NamespacedUDPSocket: @unchecked Sendable {
    let descriptor: Int32
    private let stopping = StopFlag()
    private var server: Thread?

    init(namespace path: String, address: String = "0.0.0.0", port: UInt16) throws {
        let target = open(path, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else {
            throw CommandFailure(command: ["open", path], status: errno, output: "cannot open the namespace")
        }
        defer { close(target) }
        let fd = SL_net_socket_in(target, AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure(command: ["socket"], status: errno, output: "udp socket") }
        descriptor = fd
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bindAddress = address
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, bindAddress, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw CommandFailure(command: ["bind", String(port)], status: errno, output: "udp bind") }
    }

    deinit {
        stopping.stop()
        while server?.isFinished == false { usleep(10_000) }
        close(descriptor)
    }

    /// Answers every datagram with `reply`, on a thread of its own, until the socket goes away.
    func serve(reply: String) {
        let thread = Thread { [descriptor, stopping] in
            var buffer = [UInt8](repeating: 0, count: 2048)
            while !stopping.isStopped {
                var peer = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) { peerPointer in
                    peerPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, &buffer, buffer.count, 0, $0, &length) }
                }
                guard count >= 0 else { continue }
                _ = reply.withCString { text in
                    withUnsafePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, text, strlen(text), 0, $0, length) }
                    }
                }
            }
        }
        server = thread
        thread.start()
    }

    /// Sends `payload` to `address`:`port` and returns the first reply within about a second.
    func request(_ payload: String, to address: String, port: UInt16) -> String? {
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &target.sin_addr)
        _ = payload.withCString { text in
            withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, text, strlen(text), 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 2048)
        for _ in 0..<5 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 { return String(decoding: buffer[0..<count], as: UTF8.self) }
        }
        return nil
    }
}

/// A flag the serving thread polls between receive timeouts.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    func stop() { value.withLock { $0 = true } }
    var isStopped: Bool { value.withLock { $0 } }
}
