import KubeAPI
import Logging

/// ``BootstrapAPI`` over ``KubeClient``: one client per endpoint (server, trust, credentials),
/// made on first use and kept until ``shutdown()``, so polling a CSR reuses its connection.
public actor KubeClientBootstrapAPI: BootstrapAPI {
    private var clients: [BootstrapEndpoint: KubeClient] = [:]
    private let logger: Logger?

    /// An API with no clients yet.
    public init(logger: Logger? = nil) {
        self.logger = logger
    }

    public func clusterInfo(at endpoint: BootstrapEndpoint) async throws -> ConfigMap {
        try await translated { try await client(for: endpoint).get(ConfigMap.self, name: "cluster-info", namespace: "kube-public") }
    }

    public func create(_ request: KubeAPI.CertificateSigningRequest, at endpoint: BootstrapEndpoint) async throws
        -> KubeAPI.CertificateSigningRequest
    {
        try await translated { try await client(for: endpoint).create(request) }
    }

    public func certificateSigningRequest(named name: String, at endpoint: BootstrapEndpoint) async throws
        -> KubeAPI.CertificateSigningRequest
    {
        try await translated { try await client(for: endpoint).get(KubeAPI.CertificateSigningRequest.self, name: name) }
    }

    /// Closes every client's connections.
    public func shutdown() async {
        for client in clients.values { try? await client.shutdown() }
        clients = [:]
    }

    private func client(for endpoint: BootstrapEndpoint) throws -> KubeClient {
        if let client = clients[endpoint] { return client }
        let client = try KubeClient(configuration: KubeClientConfiguration(endpoint), logger: logger)
        clients[endpoint] = client
        return client
    }

    private func translated<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as KubeAPIError {
            if error.isNotFound { throw BootstrapAPIFailure.notFound(error.description) }
            if error.isAlreadyExists { throw BootstrapAPIFailure.alreadyExists(error.description) }
            if error.isUnauthorized || error.code == 403 { throw BootstrapAPIFailure.unauthorized(error.description) }
            throw BootstrapAPIFailure.other(error.description)
        } catch let error as BootstrapAPIFailure {
            throw error
        } catch {
            throw BootstrapAPIFailure.other(String(describing: error))
        }
    }
}

extension KubeClientConfiguration {
    /// The client configuration of a bootstrap endpoint: trust the endpoint's CA (or nothing is
    /// verified when it has none), authenticate as it says.
    public init(_ endpoint: BootstrapEndpoint) {
        let tls: TLS
        let credentials: Credentials
        switch endpoint.credentials {
        case .anonymous:
            tls = TLS(caPEM: endpoint.caPEM.map { Array($0.utf8) }, insecureSkipVerify: endpoint.caPEM == nil)
            credentials = .none
        case .bearerToken(let token):
            tls = TLS(caPEM: endpoint.caPEM.map { Array($0.utf8) }, insecureSkipVerify: endpoint.caPEM == nil)
            credentials = .bearerToken(token)
        case .clientCertificate(let certificatePEM, let keyPEM):
            tls = TLS(
                caPEM: endpoint.caPEM.map { Array($0.utf8) }, clientCertificatePEM: Array(certificatePEM.utf8),
                clientKeyPEM: Array(keyPEM.utf8), insecureSkipVerify: endpoint.caPEM == nil)
            credentials = .none
        }
        self.init(server: endpoint.server, tls: tls, credentials: credentials, userAgent: "swiftlet/bootstrap")
    }
}

extension BootstrapEndpoint {
    /// The endpoint a bootstrap kubeconfig describes (the kubelet's `--bootstrap-kubeconfig`):
    /// its server, CA and a token or client certificate.
    ///
    /// - Throws: ``BootstrapError/credentials(_:)`` when it has another kind of credentials
    ///   (exec plugins, basic auth) or a CA that is not text.
    public init(bootstrapKubeconfig configuration: KubeClientConfiguration) throws(BootstrapError) {
        let caPEM: String?
        if let bytes = configuration.tls.caPEM {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw .credentials("the bootstrap kubeconfig's certificate authority is not PEM text")
            }
            caPEM = text
        } else {
            caPEM = nil
        }
        let credentials: Credentials
        switch configuration.credentials {
        case .bearerToken(let token):
            credentials = .bearerToken(token)
        case .none:
            guard let certificate = configuration.tls.clientCertificatePEM, let key = configuration.tls.clientKeyPEM else {
                credentials = .anonymous
                break
            }
            credentials = .clientCertificate(
                certificatePEM: String(decoding: certificate, as: UTF8.self), keyPEM: String(decoding: key, as: UTF8.self))
        default:
            throw .credentials("the bootstrap kubeconfig must authenticate with a token or a client certificate")
        }
        self.init(server: configuration.server, caPEM: caPEM, credentials: credentials)
    }
}
