import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import X509

/// A request as the API layer sees it: the whole body read, the client's certificate subject if
/// it presented one.
struct HTTPRequest: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The verified client certificate, if any.
    var clientCertificate: Certificate?

    var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

    /// Query parameters, percent-decoded (a repeated name keeps the last value).
    var query: [String: String] {
        guard let mark = uri.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { Self.decode(String($0)) }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    static func decode(_ text: String) -> String {
        let plus = text.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}

/// An answer: a whole body, or a stream of chunks (a watch) with a hook run when the client goes.
enum HTTPResponse: Sendable {
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    case stream(headers: [(String, String)], chunks: AsyncStream<[UInt8]>, onClose: @Sendable () -> Void)
}

/// The HTTP/1.1 listener (plain or TLS) on SwiftNIO: each connection is served by one task that
/// reads requests in order and writes their answers.
final class HTTPListener: Sendable {
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private let serverChannel: any Channel
    private let connections: ConnectionSet
    private let task: Task<Void, Never>
    /// The port bound.
    let port: Int

    private init(serverChannel: any Channel, connections: ConnectionSet, task: Task<Void, Never>, port: Int) {
        self.serverChannel = serverChannel
        self.connections = connections
        self.task = task
        self.port = port
    }

    /// Binds `host:port` (0 for a free port) and serves requests with `handler`.
    static func start(host: String, port: Int, tls: NIOSSLContext?, handler: @escaping Handler) async throws -> HTTPListener {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let boundPort = server.channel.localAddress?.port ?? port
        let connections = ConnectionSet()
        let serverChannel = server.channel
        let task = Task {
            await withDiscardingTaskGroup { group in
                try? await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        let id = ObjectIdentifier(connection.channel)
                        connections.channels.withLock { $0[id] = connection.channel }
                        group.addTask {
                            await serve(connection, tls: tls != nil, handler: handler)
                            _ = connections.channels.withLock { $0.removeValue(forKey: id) }
                        }
                    }
                }
            }
            return ()
        }
        return HTTPListener(serverChannel: serverChannel, connections: connections, task: task, port: boundPort)
    }

    /// Stops listening and closes every connection; returns when all are served out.
    func stop() async {
        try? await serverChannel.close()
        for channel in connections.channels.withLock({ Array($0.values) }) { try? await channel.close() }
        await task.value
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, tls: Bool, handler: Handler
    ) async {
        let channel = connection.channel
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let requestHead = head else { continue }
                    var certificate: Certificate?
                    if tls, let peer = try? await channel.nioSSL_peerCertificate().get(),
                        let der = try? peer.toDERBytes()
                    {
                        certificate = try? Certificate(derEncoded: der)
                    }
                    let request = HTTPRequest(
                        method: requestHead.method, uri: requestHead.uri, headers: requestHead.headers, body: body,
                        clientCertificate: certificate)
                    let keepAlive = requestHead.isKeepAlive
                    switch await handler(request) {
                    case .full(let status, let headers, let bytes):
                        var responseHeaders = HTTPHeaders(headers)
                        responseHeaders.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
                        if !keepAlive { responseHeaders.replaceOrAdd(name: "Connection", value: "close") }
                        try await outbound.write(.head(HTTPResponseHead(
                            version: requestHead.version, status: HTTPResponseStatus(statusCode: status),
                            headers: responseHeaders)))
                        if requestHead.method != .HEAD, !bytes.isEmpty {
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                        }
                        try await outbound.write(.end(nil))
                    case .stream(let headers, let chunks, let onClose):
                        channel.closeFuture.whenComplete { _ in onClose() }
                        defer { onClose() }
                        var responseHeaders = HTTPHeaders(headers)
                        responseHeaders.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
                        try await outbound.write(.head(HTTPResponseHead(
                            version: requestHead.version, status: .ok, headers: responseHeaders)))
                        for await chunk in chunks {
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                        }
                        try await outbound.write(.end(nil))
                    }
                    if !keepAlive { return }
                    head = nil
                }
            }
        }
    }
}

/// The open connections of a listener, to close them on stop.
final class ConnectionSet: Sendable {
    let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
}
