import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP server for health and metrics endpoints: each path answers `GET` and `HEAD`
/// with what its handler returns, every other path `404`. The kubelet's server has only
/// `/healthz` (`200 ok`); the service proxy's serves `/healthz` and `/livez` on
/// `healthzBindAddress` and `/metrics` on `metricsBindAddress` with the same type.
///
/// The socket is bound by ``bind(host:port:logger:)`` before the service group starts, so a
/// port in use fails the start instead of a running agent, and ``localAddress`` reports the
/// port the kernel picked when the configured port is 0.
public struct HealthzServer: Service {
    /// The address the listening socket is bound to.
    public let localAddress: SocketAddress
    private let channel: any Channel
    private let logger: Logger
    private let name: String

    private init(channel: any Channel, localAddress: SocketAddress, name: String, logger: Logger) {
        self.channel = channel
        self.localAddress = localAddress
        self.name = name
        self.logger = logger
    }

    /// What one path answers.
    public struct Response: Sendable, Equatable {
        /// The HTTP status code.
        public var status: Int
        public var contentType: String
        public var body: String

        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// Produces a path's response for each request.
    public typealias Handler = @Sendable () -> Response

    /// The kubelet's routes: `/healthz` answers `200 ok`.
    public static let kubeletRoutes: [String: Handler] = ["/healthz": { Response(status: 200, body: "ok") }]

    /// The bound port (the kernel's choice when bound to port 0).
    public var port: Int { localAddress.port ?? 0 }

    /// Binds the listening socket and starts answering requests on it.
    ///
    /// - Throws: the socket error (e.g. address in use, address not available).
    public static func bind(
        host: String,
        port: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> HealthzServer {
        try await bind(host: host, port: port, name: "healthz", routes: kubeletRoutes, group: group, logger: logger)
    }

    /// Binds the listening socket and answers `routes` (exact paths, query ignored) on it.
    ///
    /// - Parameter name: names the server in log lines (`NAME server listening address=...`).
    /// - Throws: the socket error (e.g. address in use, address not available).
    public static func bind(
        host: String,
        port: Int,
        name: String,
        routes: [String: Handler],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> HealthzServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HealthzHandler(routes: routes))
                }
            }
            .bind(host: host, port: port)
            .get()
        guard let address = channel.localAddress else {
            try? await channel.close()
            throw HealthzServerError.noLocalAddress(host: host, port: port)
        }
        logger.info("\(name) server listening", metadata: ["address": "\(address.displayString)"])
        return HealthzServer(channel: channel, localAddress: address, name: name, logger: logger)
    }

    /// Serves until graceful shutdown (or cancellation), then closes the listening socket.
    public func run() async throws {
        try? await gracefulShutdown()
        try? await channel.close()
        logger.info("\(name) server stopped")
    }
}

/// Why the health server could not start.
public enum HealthzServerError: Error, Sendable, CustomStringConvertible {
    /// The bound socket reported no local address.
    case noLocalAddress(host: String, port: Int)

    public var description: String {
        switch self {
        case .noLocalAddress(let host, let port):
            "healthz: socket bound to \(host):\(port) has no local address"
        }
    }
}

extension SocketAddress {
    /// `ip:port`, with brackets around IPv6 addresses.
    var displayString: String {
        let ip = ipAddress ?? "?"
        let host = self.protocol == .inet6 ? "[\(ip)]" : ip
        return "\(host):\(port ?? 0)"
    }
}

/// Answers one request at a time on a connection; `HTTPServerPipelineHandler` (installed by
/// `configureHTTPServerPipeline`) orders pipelined requests.
private final class HealthzHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var request: HTTPRequestHead?
    private let routes: [String: HealthzServer.Handler]

    init(routes: [String: HealthzServer.Handler]) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let handler = (head.method == .GET || head.method == .HEAD) ? routes[path] : nil
        let response = handler?() ?? HealthzServer.Response(status: 404, body: "404 page not found\n")
        let status = HTTPResponseStatus(statusCode: response.status)
        let text = response.body

        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Content-Length", value: "\(text.utf8.count)")
        let keepAlive = head.isKeepAlive
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in boundContext.value.close(promise: nil) }
        }
    }
}
