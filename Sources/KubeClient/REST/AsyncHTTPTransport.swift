import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The real transport: async-http-client with swift-nio-ssl TLS. HTTP/2 is used when the server
/// offers it through ALPN, HTTP/1.1 otherwise.
///
/// The TLS credentials can be replaced while requests run (``reloadTLS(_:)``, used after a client
/// certificate rotation): new requests go through a new connection pool, and the old pool is shut
/// down once its requests and response bodies are done (or after ``drainTimeout``, which closes
/// long-running watches so that their informers resume them with the new credentials).
public final class AsyncHTTPTransport: KubeHTTPTransport {
    private let server: String
    private let current: Mutex<ConnectionPool>
    private let retired: Mutex<[ConnectionPool]> = Mutex([])
    /// How long a replaced pool's requests (and streamed bodies, such as watches) may still run.
    public let drainTimeout: Duration

    /// A transport for `server` with `tls`.
    ///
    /// - Throws: ``KubeConfigError`` when the server URL is not `http(s)://…` or a PEM input does
    ///   not parse, naming which one.
    public init(server: String, tls: KubeClientConfiguration.TLS, drainTimeout: Duration = .seconds(30)) throws {
        self.server = server
        self.drainTimeout = drainTimeout
        current = Mutex(try ConnectionPool(server: server, tls: tls))
    }

    /// Makes new requests use `tls`; requests already sent finish on the old connections, which
    /// are closed when they are done or ``drainTimeout`` has passed.
    ///
    /// - Throws: ``KubeConfigError`` when a PEM input does not parse; the old credentials stay.
    public func reloadTLS(_ tls: KubeClientConfiguration.TLS) throws {
        let replacement = try ConnectionPool(server: server, tls: tls)
        let old = current.withLock { pool in
            defer { pool = replacement }
            return pool
        }
        retired.withLock { $0.append(old) }
        let timeout = drainTimeout
        Task { [weak self] in
            let deadline = ContinuousClock.now + timeout
            while old.inFlight > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
            }
            try? await old.client.shutdown()
            self?.retired.withLock { pools in pools.removeAll { $0 === old } }
        }
    }

    public func send(_ request: KubeHTTPRequest) async throws -> KubeHTTPResponse {
        let pool = current.withLock { $0 }
        let use = pool.begin()
        var outgoing = HTTPClientRequest(url: pool.baseURL + request.target)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await pool.client.execute(outgoing, timeout: .nanoseconds(Int64(request.timeout.seconds * 1e9)))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // TLS failures repeat however often they are tried; connection failures may not.
            let isTLS = error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
            throw KubeTransportError(message: "\(request.method) \(pool.baseURL)\(request.target): \(error)", isRetryable: !isTLS)
        }
        // The body keeps the pool in use until it has been read or dropped.
        let iterator = BodyIterator(response.body.makeAsyncIterator(), use: use)
        let body = AsyncThrowingStream<[UInt8], any Error> {
            guard var buffer = try await iterator.next() else { return nil }
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        return KubeHTTPResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    public func shutdown() async throws {
        for pool in retired.withLock({ $0 }) {
            try? await pool.client.shutdown()
        }
        try await current.withLock { $0 }.client.shutdown()
    }
}

/// One async-http-client and the count of requests using it.
private final class ConnectionPool: Sendable {
    let client: HTTPClient
    let baseURL: String
    private let uses: Mutex<Int> = Mutex(0)

    init(server: String, tls: KubeClientConfiguration.TLS) throws {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
            throw KubeConfigError(field: "server", message: "expected an http:// or https:// URL, got \"\(server)\"")
        }
        var configuration = HTTPClient.Configuration()
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if tls.insecureSkipVerify {
            tlsConfiguration.certificateVerification = .none
        }
        if let caPEM = tls.caPEM {
            tlsConfiguration.trustRoots = .certificates(try Self.certificates(caPEM, field: "certificate-authority"))
        }
        if let certificatePEM = tls.clientCertificatePEM {
            let chain = try Self.certificates(certificatePEM, field: "client-certificate")
            guard let keyPEM = tls.clientKeyPEM else {
                throw KubeConfigError(field: "client-key", message: "a client certificate needs its key")
            }
            do {
                tlsConfiguration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            } catch {
                throw KubeConfigError(field: "client-key", message: "expected a PEM private key (EC or RSA): \(error)")
            }
            tlsConfiguration.certificateChain = chain.map { .certificate($0) }
        }
        configuration.tlsConfiguration = tlsConfiguration
        configuration.httpVersion = .automatic
        configuration.redirectConfiguration = .disallow
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        if let serverName = tls.serverName, let (host, rest) = Self.splitHost(base) {
            // Connect to the URL's host, but check the certificate against (and send as SNI) the
            // configured name, as client-go's `tls-server-name` does.
            configuration.dnsOverride[serverName] = host
            base = rest.scheme + serverName + rest.suffix
        }
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        baseURL = base
    }

    /// Requests (and response bodies) still using the pool.
    var inFlight: Int { uses.withLock { $0 } }

    /// Marks one use, ended when the returned token is released.
    func begin() -> PoolUse {
        uses.withLock { $0 += 1 }
        return PoolUse { [self] in uses.withLock { $0 -= 1 } }
    }

    /// The certificates of a PEM bundle, at least one.
    private static func certificates(_ pem: [UInt8], field: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(pem)
        } catch {
            throw KubeConfigError(field: field, message: "expected PEM certificates: \(error)")
        }
        guard !certificates.isEmpty else {
            throw KubeConfigError(field: field, message: "expected PEM certificates, found none")
        }
        return certificates
    }

    private static func splitHost(_ url: String) -> (String, (scheme: String, suffix: String))? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = String(url[..<schemeEnd.upperBound])
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let host: Substring
        let portAndPath: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            portAndPath = url[authority.index(after: close)...]
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portAndPath = url[colon...]
        } else {
            host = authority
            portAndPath = url[authorityEnd...]
        }
        return (String(host), (scheme, String(portAndPath)))
    }
}

/// One request's use of a pool; released (and counted down) when nothing holds it any more.
private final class PoolUse: Sendable {
    private let end: @Sendable () -> Void

    init(end: @escaping @Sendable () -> Void) {
        self.end = end
    }

    deinit { end() }
}

/// The response body's iterator, handed to the unfolding stream: the stream calls `next` from one
/// consumer at a time, which is what makes sharing the mutable iterator sound. It holds the pool
/// in use until the body ends or the stream is dropped.
private final class BodyIterator: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var use: PoolUse?

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator, use: PoolUse) {
        self.iterator = iterator
        self.use = use
    }

    func next() async throws -> ByteBuffer? {
        do {
            let buffer = try await iterator.next()
            if buffer == nil { use = nil }
            return buffer
        } catch {
            use = nil
            throw error
        }
    }
}
