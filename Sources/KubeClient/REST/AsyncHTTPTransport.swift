import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

/// The real transport: async-http-client with swift-nio-ssl TLS. HTTP/2 is used when the server
/// offers it through ALPN, HTTP/1.1 otherwise.
public final class AsyncHTTPTransport: KubeHTTPTransport {
    private let client: HTTPClient
    private let baseURL: String

    /// A transport for `server` with `tls`.
    ///
    /// - Throws: ``KubeConfigError`` when the server URL is not `http(s)://…` or a PEM input does
    ///   not parse, naming which one.
    public init(server: String, tls: KubeClientConfiguration.TLS) throws {
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

    public func send(_ request: KubeHTTPRequest) async throws -> KubeHTTPResponse {
        var outgoing = HTTPClientRequest(url: baseURL + request.target)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, timeout: .nanoseconds(Int64(request.timeout.seconds * 1e9)))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // TLS failures repeat however often they are tried; connection failures may not.
            let isTLS = error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
            throw KubeTransportError(message: "\(request.method) \(baseURL)\(request.target): \(error)", isRetryable: !isTLS)
        }
        let iterator = BodyIterator(response.body.makeAsyncIterator())
        let body = AsyncThrowingStream<[UInt8], any Error> {
            guard var buffer = try await iterator.next() else { return nil }
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        return KubeHTTPResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}

/// The response body's iterator, handed to the unfolding stream: the stream calls `next` from one
/// consumer at a time, which is what makes sharing the mutable iterator sound.
private final class BodyIterator: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
