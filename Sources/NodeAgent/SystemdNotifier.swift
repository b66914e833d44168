#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sends `sd_notify(3)` state messages to the service manager, written natively as one datagram
/// per message to the `AF_UNIX` socket named by `$NOTIFY_SOCKET`.
///
/// A path starting with `@` names a socket in the abstract namespace (the `@` becomes a NUL
/// byte), as systemd documents for `NOTIFY_SOCKET`.
public struct SystemdNotifier: Sendable, Equatable {
    /// The socket address exactly as `$NOTIFY_SOCKET` gave it.
    public let socketPath: String

    /// Creates a notifier that writes to `socketPath` (a filesystem path or `@abstract-name`).
    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Reads `$NOTIFY_SOCKET` from `environment`; `nil` when it is unset or empty (not started by
    /// systemd with `Type=notify`).
    public init?(environment: [String: String]) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else {
            return nil
        }
        self.init(socketPath: path)
    }

    /// Sends one notification, e.g. `READY=1` or `STOPPING=1`.
    ///
    /// - Throws: ``SystemdNotifierError`` when the address cannot be used or the datagram cannot
    ///   be sent.
    public func notify(_ state: String) throws(SystemdNotifierError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        guard pathBytes.first == UInt8(ascii: "/") || pathBytes.first == UInt8(ascii: "@") else {
            throw .unsupportedAddress(socketPath)
        }
        if pathBytes.first == UInt8(ascii: "@") {
            pathBytes[0] = 0
        }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw .unsupportedAddress(socketPath)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
        // Abstract names are exactly as long as given; a filesystem path carries its NUL.
        let addressLength = socklen_t(pathOffset + pathBytes.count + (pathBytes[0] == 0 ? 0 : 1))

        let descriptor: Int32
        do {
            descriptor = try systemCall("socket") {
                socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
        } catch {
            throw .system(error)
        }
        defer { close(descriptor) }

        let payload = Array(state.utf8)
        let sent: Int
        do {
            sent = try systemCall("sendto") {
                payload.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &address) { pointer in
                        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                            sendto(
                                descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL),
                                socketAddress, addressLength)
                        }
                    }
                }
            }
        } catch {
            throw .system(error)
        }
        guard sent == payload.count else {
            throw .shortWrite(sent: sent, expected: payload.count)
        }
    }
}

/// Why a notification could not be delivered.
public enum SystemdNotifierError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `$NOTIFY_SOCKET` is neither an absolute path nor an `@abstract` name, or is too long.
    case unsupportedAddress(String)
    /// The socket could not be created or the datagram not sent.
    case system(SystemCallError)
    /// The kernel accepted fewer bytes than the message holds.
    case shortWrite(sent: Int, expected: Int)

    public var description: String {
        switch self {
        case .unsupportedAddress(let address):
            "NOTIFY_SOCKET: expected an absolute path or an @abstract name shorter than 108 bytes, got \"\(address)\""
        case .system(let error):
            "NOTIFY_SOCKET: \(error)"
        case .shortWrite(let sent, let expected):
            "NOTIFY_SOCKET: sent \(sent) of \(expected) bytes"
        }
    }
}
