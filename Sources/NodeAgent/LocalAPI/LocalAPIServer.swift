import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The agent's local API for people on the node: HTTP/1.1 on a unix socket (`apiSocket`,
/// `/run/swiftlet/swiftlet.sock` by default; mode 0600, so only root can use it). One request per
/// connection (`Connection: close`). Paths follow the Kubernetes API's:
///
/// - `GET /api/v1/pods` — a `PodList` of every pod with its status;
/// - `GET /api/v1/namespaces/NS/pods` — the pods of one namespace;
/// - `GET /api/v1/namespaces/NS/pods/NAME` — one pod (JSON);
/// - `GET /api/v1/namespaces/NS/pods/NAME/log?container=C&follow=true&previous=true&tailLines=N&limitBytes=N`
///   — the log's message text, streamed in chunks (`Transfer-Encoding: chunked`);
/// - `POST /api/v1/namespaces/NS/pods/NAME/exec?container=C&command=…&stdin=true&tty=true` with
///   `Connection: Upgrade`, `Upgrade: swiftlet-exec.v1` — answers `101 Switching Protocols` and
///   then carries ``ExecFrame``s both ways.
///
/// Failures answer with a Kubernetes `Status` object. A stale socket file (nothing listening) is
/// replaced when the server binds, a live one fails the start; the file is removed when it stops.
public struct LocalAPIServer: Service {
    /// The socket's path.
    public let path: String
    let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    let pods: LocalPodDirectory
    let logger: Logger

    /// Binds the socket (replacing a stale one), restricts it to its owner, and returns the
    /// server; requests are answered once ``run()`` runs.
    ///
    /// - Throws: a socket error, or ``LocalAPIServerError`` when the directory cannot be made or
    ///   the mode cannot be set.
    public static func bind(
        path: String, pods: LocalPodDirectory, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) async throws -> LocalAPIServer {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LocalAPIServerError.directory(path: directory, error: "\(error)")
        }
        if FileManager.default.fileExists(atPath: path), Self.answers(path) {
            throw LocalAPIServerError.inUse(path: path)
        }
        let channel = try await ServerBootstrap(group: group)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { child in
                child.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        guard chmod(path, 0o600) == 0 else {
            let code = errno
            try? await channel.channel.close()
            throw LocalAPIServerError.mode(path: path, errno: code)
        }
        logger.info("local API listening", metadata: ["socket": "\(path)"])
        return LocalAPIServer(path: path, channel: channel, pods: pods, logger: logger)
    }

    /// Whether something listens on the socket at `path` (another agent): then it is not stale.
    static func answers(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    /// Answers requests until graceful shutdown, then closes the socket and removes its file.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await gracefulShutdown()
                try? await channel.channel.close()
            }
            do {
                try await channel.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await LocalAPIConnection(pods: pods, logger: logger).serve(connection) }
                    }
                }
            } catch {
                logger.debug("local API stopped accepting", metadata: ["error": "\(error)"])
            }
            // Open log streams and exec sessions end with the agent.
            group.cancelAll()
        }
        unlink(path)
        logger.info("local API stopped", metadata: ["socket": "\(path)"])
    }
}

/// Why the local API could not start.
public enum LocalAPIServerError: Error, Sendable, CustomStringConvertible {
    case directory(path: String, error: String)
    case mode(path: String, errno: Int32)
    case inUse(path: String)

    public var description: String {
        switch self {
        case .directory(let path, let error): "apiSocket: cannot create the directory \(path): \(error)"
        case .mode(let path, let code): "apiSocket: cannot set mode 0600 on \(path): \(String(cString: strerror(code)))"
        case .inUse(let path): "apiSocket: another agent answers on \(path); expected it stopped, or a different apiSocket"
        }
    }
}
