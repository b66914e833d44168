import CSwiftletNet
import Foundation

/// A listening TCP socket made inside another network namespace (the socket keeps the namespace
/// it was created in, whatever thread uses it later).
enum NamespaceSocket {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A socket bound to `host:port` (IPv4) in the namespace at `path`, listening.
    static func listening(in path: String, host: String, port: Int) throws -> CInt {
        let namespace = open(path, O_RDONLY | O_CLOEXEC)
        guard namespace >= 0 else { throw Failure(description: "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(namespace) }
        let socket = SL_net_socket_in(namespace, AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket in \(path): \(String(cString: strerror(errno)))") }
        var one: CInt = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(socket)
            throw Failure(description: "\(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, 256) == 0 else {
            let message = String(cString: strerror(errno))
            close(socket)
            throw Failure(description: "bind \(host):\(port) in \(path): \(message)")
        }
        return socket
    }
}
