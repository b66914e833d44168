import KubeAPI

/// How a bootstrap request reaches the API server: its URL, whether and how the server's
/// certificate is verified, and who the node is for this request.
public struct BootstrapEndpoint: Sendable, Hashable {
    /// How the client authenticates.
    public enum Credentials: Sendable, Hashable {
        /// No credentials (reading `cluster-info`).
        case anonymous
        /// A bootstrap token, sent as `Authorization: Bearer <id>.<secret>`.
        case bearerToken(String)
        /// A client certificate chain and its key, PEM.
        case clientCertificate(certificatePEM: String, keyPEM: String)
    }

    /// The API server URL, `https://host:port`.
    public var server: String
    /// The CA bundle (PEM) the server's certificate must chain to; nil means the server is
    /// not verified, which only the first read of `cluster-info` does.
    public var caPEM: String?
    /// Who the node is for this request.
    public var credentials: Credentials

    /// An endpoint for `server`.
    public init(server: String, caPEM: String?, credentials: Credentials) {
        self.server = server
        self.caPEM = caPEM
        self.credentials = credentials
    }
}

/// A request to the API server that did not succeed, in the terms the bootstrap flow acts on.
public enum BootstrapAPIFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// 404.
    case notFound(String)
    /// 409 AlreadyExists on create.
    case alreadyExists(String)
    /// 401 or 403.
    case unauthorized(String)
    /// Anything else: the connection, TLS, another status.
    case other(String)

    public var description: String {
        switch self {
        case .notFound(let message): "not found: \(message)"
        case .alreadyExists(let message): "already exists: \(message)"
        case .unauthorized(let message): "unauthorized: \(message)"
        case .other(let message): message
        }
    }
}

/// The three API calls joining a cluster needs: the seam between the bootstrap flow and the
/// REST client, so the flow is tested against a fake and run against KubeClient.
public protocol BootstrapAPI: Sendable {
    /// GET `/api/v1/namespaces/kube-public/configmaps/cluster-info`.
    ///
    /// - Throws: ``BootstrapAPIFailure``.
    func clusterInfo(at endpoint: BootstrapEndpoint) async throws -> ConfigMap

    /// POST `/apis/certificates.k8s.io/v1/certificatesigningrequests`; returns the created object
    /// (with its name when `generateName` was used).
    ///
    /// - Throws: ``BootstrapAPIFailure``.
    func create(_ request: KubeAPI.CertificateSigningRequest, at endpoint: BootstrapEndpoint) async throws
        -> KubeAPI.CertificateSigningRequest

    /// GET `/apis/certificates.k8s.io/v1/certificatesigningrequests/<name>`.
    ///
    /// - Throws: ``BootstrapAPIFailure``.
    func certificateSigningRequest(named name: String, at endpoint: BootstrapEndpoint) async throws
        -> KubeAPI.CertificateSigningRequest
}
