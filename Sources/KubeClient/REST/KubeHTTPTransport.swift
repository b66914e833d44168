/// One HTTP request to the API server, relative to the server's base URL.
public struct KubeHTTPRequest: Sendable {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    public var method: String
    /// The path with its encoded query, e.g. `/api/v1/namespaces/default/pods?limit=500`.
    public var target: String
    /// Request headers (the client adds `Authorization`, `Accept`, `Content-Type`, `User-Agent`).
    public var headers: [(name: String, value: String)]
    /// The body, if any.
    public var body: [UInt8]?
    /// How long the whole exchange, body included, may take.
    public var timeout: Duration

    /// A request from its parts.
    public init(
        method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(60)
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The API server's answer: status and headers at once, the body as it arrives (a watch's body
/// never ends on its own).
public struct KubeHTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers.
    public var headers: [(name: String, value: String)]
    /// The body in chunks as they arrive.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    /// A response from its parts.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with the whole body at once (fakes in tests, small answers).
    public init(status: Int, headers: [(name: String, value: String)] = [], bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: AsyncThrowingStream { continuation in
            if !bytes.isEmpty { continuation.yield(bytes) }
            continuation.finish()
        })
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The whole body.
    ///
    /// - Throws: ``KubeTransportError`` when the body is larger than `limit` bytes, or what reading threw.
    public func collect(upTo limit: Int = 64 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            bytes += chunk
            if bytes.count > limit {
                throw KubeTransportError(message: "response body larger than \(limit) bytes")
            }
        }
        return bytes
    }
}

/// The seam between the client and the network: the real one is ``AsyncHTTPTransport``; tests put
/// fakes here to script the server's answers.
public protocol KubeHTTPTransport: Sendable {
    /// Sends `request` and returns once the response head has arrived.
    ///
    /// - Throws: ``KubeTransportError`` (or the transport's own error) when no response arrived.
    func send(_ request: KubeHTTPRequest) async throws -> KubeHTTPResponse

    /// Releases connections; the transport is unusable afterwards.
    func shutdown() async throws
}

/// A request that got no HTTP answer (connection refused, TLS failure, timeout, oversize body).
public struct KubeTransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Whether trying again may help (a refused or reset connection, a timeout), as opposed to a
    /// failure that will repeat (the server's certificate is not trusted).
    public var isRetryable: Bool

    /// An error saying `message`.
    public init(message: String, isRetryable: Bool = true) {
        self.message = message
        self.isRetryable = isRetryable
    }

    public var description: String { message }
}
