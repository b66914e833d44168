import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
@testable import Images

/// A small registry on 127.0.0.1 that serves an OCI layout read-only and demands a bearer token,
/// handed out by its own `/token` endpoint only to basic-auth credentials `user:password`. It
/// exercises the client's `WWW-Authenticate` handling end to end.
final class TokenAuthRegistry: Sendable {
    let port: Int
    private let channel: any Channel
    private let log: Log

    /// What the server saw.
    final class Log: Sendable {
        private let state = Mutex<(tokenRequests: [String], unauthorized: Int)>(([], 0))
        var tokenRequests: [String] { state.withLock { $0.tokenRequests } }
        var unauthorized: Int { state.withLock { $0.unauthorized } }
        func token(_ query: String) { state.withLock { $0.tokenRequests.append(query) } }
        func rejected() { state.withLock { $0.unauthorized += 1 } }
    }

    var tokenRequests: [String] { log.tokenRequests }
    var unauthorizedResponses: Int { log.unauthorized }
    var host: String { "127.0.0.1:\(port)" }

    init(layout: String, user: String, password: String) async throws {
        let log = Log()
        let token = "token-\(UUID().uuidString)"
        let basic = RegistryCredential(username: user, password: password).basicAuthorization
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(layout: layout, token: token, basic: basic, log: log))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.log = log
    }

    func stop() async throws { try await channel.close() }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let layout: String
        let token: String
        let basic: String
        let log: Log
        var head: HTTPRequestHead?

        init(layout: String, token: String, basic: String, log: Log) {
            self.layout = layout
            self.token = token
            self.basic = basic
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                let (status, headers, body) = respond(to: head)
                var responseHead = HTTPResponseHead(version: head.version, status: status, headers: headers)
                responseHead.headers.replaceOrAdd(name: "Content-Length", value: "\(body.count)")
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }

        func respond(to head: HTTPRequestHead) -> (HTTPResponseStatus, HTTPHeaders, [UInt8]) {
            let authorization = head.headers.first(name: "Authorization")
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            if path == "/token" {
                guard authorization == basic else { return (.unauthorized, [:], Array("bad credentials".utf8)) }
                log.token(String(head.uri.split(separator: "?").last ?? ""))
                return (.ok, ["Content-Type": "application/json"], Array(#"{"token":"\#(token)"}"#.utf8))
            }
            guard authorization == "Bearer \(token)" else {
                log.rejected()
                let challenge = #"Bearer realm="http://\#(head.headers.first(name: "Host") ?? "")/token",service="fake-registry",scope="repository:busybox:pull""#
                return (.unauthorized, ["WWW-Authenticate": challenge], Array(#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.utf8))
            }
            let parts = path.split(separator: "/").map(String.init)  // v2, busybox, manifests|blobs, ref
            guard parts.count == 4, parts[0] == "v2", parts[1] == "busybox" else { return (.notFound, [:], []) }
            var reference = parts[3]
            var mediaType = "application/octet-stream"
            if parts[2] == "manifests" {
                guard let index = try? JSONDocument.decode(Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")), source: "index")
                    as ImageIndex
                else { return (.internalServerError, [:], []) }
                if let entry = index.manifests.first(where: { $0.annotations?[Descriptor.refNameAnnotation] == reference || $0.digest.description == reference }) {
                    reference = entry.digest.description
                    mediaType = entry.mediaType
                }
            }
            guard let digest = try? Digest(parsing: reference),
                let data = FileManager.default.contents(atPath: "\(layout)/blobs/sha256/\(digest.hex)")
            else { return (.notFound, [:], Array(#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#.utf8)) }
            return (.ok, ["Content-Type": mediaType, "Docker-Content-Digest": digest.description], Array(data))
        }
    }
}
