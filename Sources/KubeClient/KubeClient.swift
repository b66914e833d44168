// KubeClient: the node's Kubernetes API client. kubeconfig files as kubectl reads them, REST and
// watch over async-http-client with TLS from swift-nio-ssl, client-side rate limits and retries,
// informers (list + watch reflectors with an indexed store), and the TLS bootstrap of `swiftlet join`.
// It depends only on KubeAPI; the kubelet and the service proxy see it through their own seams.

import KubeAPI
import Logging
import Synchronization

/// A client for one API server, typed over KubeAPI's kinds (see ``KubeResource``).
///
/// Every request waits for a token of the client's rate limiter (``KubeClientConfiguration/qps``
/// and ``KubeClientConfiguration/burst``), and failed ones are retried as ``RetryPolicy`` says.
/// Objects from the server are decoded leniently (unknown fields are allowed). Call ``shutdown()``
/// when done.
///
/// ```swift
/// let client = try KubeClient(config: try KubeConfig.load(path: "/etc/kubernetes/kubelet.conf"))
/// let pod = try await client.get(CoreV1.Pod.self, name: "web", namespace: "default")
/// ```
public final class KubeClient: Sendable {
    /// What the client was made from.
    public let configuration: KubeClientConfiguration
    let transport: any KubeHTTPTransport
    let limiter: TokenBucketRateLimiter?
    let clock: KubeClock
    let credentials: CredentialSource
    let logger: Logger
    private let undecodable: Mutex<Int> = Mutex(0)
    private let undecodableHandler: (@Sendable (UndecodableObject) -> Void)?

    /// A client for the current (or the named) context of a kubeconfig.
    ///
    /// - Throws: ``KubeConfigError`` when the context is incomplete or a referenced file is unreadable.
    public convenience init(config: KubeConfig, context: String? = nil, logger: Logger? = nil) throws {
        try self.init(configuration: config.clientConfiguration(context: context), logger: logger)
    }

    /// A client from a configuration.
    ///
    /// - Parameters:
    ///   - transport: the network seam; nil makes an ``AsyncHTTPTransport`` from the configuration.
    ///   - clock: what the rate limiter and retries wait on.
    ///   - onUndecodableObject: told of every object the server sent that did not decode and was
    ///     skipped (they are also logged and counted in ``undecodableObjectCount``).
    /// - Throws: ``KubeConfigError`` when the TLS material does not parse.
    public init(
        configuration: KubeClientConfiguration, transport: (any KubeHTTPTransport)? = nil, clock: KubeClock = .system,
        logger: Logger? = nil, onUndecodableObject: (@Sendable (UndecodableObject) -> Void)? = nil
    ) throws {
        self.configuration = configuration
        self.transport = try transport ?? AsyncHTTPTransport(server: configuration.server, tls: configuration.tls)
        let qps = configuration.qps == 0 ? 5 : configuration.qps
        limiter = qps > 0 ? TokenBucketRateLimiter(qps: qps, burst: configuration.burst, clock: clock) : nil
        self.clock = clock
        credentials = CredentialSource(configuration.credentials, server: configuration.server, clock: clock)
        self.logger = logger ?? Logger(label: "swiftlet.kubeclient")
        undecodableHandler = onUndecodableObject
    }

    /// Closes the client's connections.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// How many objects from the server were skipped because they did not decode.
    public var undecodableObjectCount: Int { undecodable.withLock { $0 } }

    func reportUndecodable(_ object: UndecodableObject) {
        undecodable.withLock { $0 += 1 }
        logger.warning("\(object.description)")
        undecodableHandler?(object)
    }

    /// Sends one request through the rate limiter, authentication and the retry policy, and
    /// returns the final answer whatever its status.
    func send(
        method: String, target: String, body: [UInt8]? = nil, contentType: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> KubeHTTPResponse {
        let policy = configuration.retry
        var attempt = 1
        var refreshedCredentials = false
        while true {
            try Task.checkCancellation()
            if let limiter { try await limiter.acquire() }
            var headers: [(name: String, value: String)] = [
                ("Accept", "application/json"), ("User-Agent", configuration.userAgent),
            ]
            if let contentType { headers.append(("Content-Type", contentType)) }
            if let authorization = try await credentials.authorization(refresh: false) {
                headers.append(("Authorization", authorization))
            }
            let request = KubeHTTPRequest(method: method, target: target, headers: headers, body: body, timeout: timeout)
            let response: KubeHTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as KubeTransportError where error.isRetryable && method == "GET" && attempt < policy.maxAttempts {
                let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
                logger.debug("\(method) \(target) failed (\(error)); try \(attempt + 1) in \(delay)")
                try await clock.sleep(delay)
                attempt += 1
                continue
            }
            if response.status == 401, !refreshedCredentials, credentials.refreshable {
                refreshedCredentials = true
                _ = try? await response.collect(upTo: 1 << 20)
                _ = try await credentials.authorization(refresh: true)
                continue
            }
            if attempt < policy.maxAttempts, policy.shouldRetry(method: method, status: response.status) {
                _ = try? await response.collect(upTo: 1 << 20)
                let delay = policy.delay(afterAttempt: attempt, retryAfter: response.header("Retry-After"))
                logger.debug("\(method) \(target) answered \(response.status); try \(attempt + 1) in \(delay)")
                try await clock.sleep(delay)
                attempt += 1
                continue
            }
            return response
        }
    }

    /// Sends a request and returns the body of a 2xx answer.
    ///
    /// - Throws: ``KubeAPIError`` for any other status.
    func perform(method: String, target: String, body: [UInt8]? = nil, contentType: String? = nil) async throws -> [UInt8] {
        let response = try await send(method: method, target: target, body: body, contentType: contentType)
        let bytes = try await response.collect()
        guard (200..<300).contains(response.status) else {
            throw KubeAPIError.from(code: response.status, body: bytes, request: "\(method) \(target)")
        }
        return bytes
    }

    /// Decodes an answer leniently as `T`.
    func decode<T: KubeCodable>(_ type: T.Type, from bytes: [UInt8], request: String) throws -> T {
        do {
            return try T(decoding: try JSONParser.parse(bytes), strict: false)
        } catch let error as JSONParser.SyntaxError {
            throw KubeDecodingError(request: request, message: "the answer is not JSON: \(error)")
        } catch {
            throw KubeDecodingError(request: request, message: "the answer is not a \(T.self): \(error)")
        }
    }
}
