/// Everything a ``KubeClient`` needs to reach one API server: where it is, how to trust it, who
/// the client is, and how hard it may push.
///
/// Built from a kubeconfig with ``KubeConfig/clientConfiguration(context:)``, or directly with the
/// initialisers `swiftlet join` uses: ``bearerToken(server:caPEM:token:)``,
/// ``clientCertificate(server:caPEM:certificatePEM:keyPEM:)`` and ``insecure(server:token:)``.
public struct KubeClientConfiguration: Sendable {
    /// The server's URL, `https://host:port` (a path prefix is kept).
    public var server: String
    /// How the server's certificate is checked and which certificate the client presents.
    public var tls: TLS
    /// How requests are authenticated.
    public var credentials: Credentials
    /// The namespace used when a call names none (the context's `namespace`, else `default`).
    public var namespace: String
    /// Requests per second on average (kubelet `kubeAPIQPS`, default 50). Zero or less: unlimited.
    public var qps: Double
    /// Requests allowed at once after a quiet period (kubelet `kubeAPIBurst`, default 100).
    public var burst: Int
    /// When and how failed requests are tried again.
    public var retry: RetryPolicy
    /// The `User-Agent` header.
    public var userAgent: String

    /// TLS settings: trust roots, client identity, server name.
    public struct TLS: Sendable, Hashable {
        /// PEM certificates trusted as the server's CA; nil trusts the system's roots.
        public var caPEM: [UInt8]?
        /// The client certificate chain, PEM.
        public var clientCertificatePEM: [UInt8]?
        /// The client key, PEM (EC or RSA; PKCS#8, SEC1 or PKCS#1).
        public var clientKeyPEM: [UInt8]?
        /// Skip checking the server's certificate (`insecure-skip-tls-verify`).
        public var insecureSkipVerify: Bool
        /// `tls-server-name`: sent as SNI and matched against the certificate's DNS names. Unlike
        /// Go, swift-nio-ssl also accepts a certificate whose IP address entry matches the address
        /// connected to, whatever this name says.
        public var serverName: String?

        /// TLS settings from their parts.
        public init(
            caPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
            insecureSkipVerify: Bool = false, serverName: String? = nil
        ) {
            self.caPEM = caPEM
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
            self.insecureSkipVerify = insecureSkipVerify
            self.serverName = serverName
        }
    }

    /// How requests carry the client's identity besides a TLS client certificate.
    public enum Credentials: Sendable, Hashable {
        /// No `Authorization` header.
        case none
        /// `Authorization: Bearer <token>`.
        case bearerToken(String)
        /// A bearer token read from the file, re-read at most once a minute (as client-go does).
        case tokenFile(String)
        /// HTTP basic authentication.
        case basic(username: String, password: String)
        /// A `client.authentication.k8s.io/v1` exec plugin, run for a token when needed.
        case exec(ExecCredentialConfig)
    }

    /// A configuration from its parts; the limits default to the kubelet's (50 QPS, burst 100).
    public init(
        server: String, tls: TLS = TLS(), credentials: Credentials = .none, namespace: String = "default",
        qps: Double = 50, burst: Int = 100, retry: RetryPolicy = RetryPolicy(), userAgent: String = "swiftlet"
    ) {
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.qps = qps
        self.burst = burst
        self.retry = retry
        self.userAgent = userAgent
    }

    /// A client that trusts `caPEM` and authenticates with a bearer token (a bootstrap token).
    public static func bearerToken(server: String, caPEM: [UInt8], token: String) -> KubeClientConfiguration {
        KubeClientConfiguration(server: server, tls: TLS(caPEM: caPEM), credentials: .bearerToken(token))
    }

    /// A client that trusts `caPEM` and authenticates with a client certificate and its key.
    public static func clientCertificate(
        server: String, caPEM: [UInt8], certificatePEM: [UInt8], keyPEM: [UInt8]
    ) -> KubeClientConfiguration {
        KubeClientConfiguration(
            server: server, tls: TLS(caPEM: caPEM, clientCertificatePEM: certificatePEM, clientKeyPEM: keyPEM))
    }

    /// A client that does not check the server's certificate (CA discovery before the CA is
    /// pinned), with an optional bearer token.
    public static func insecure(server: String, token: String? = nil) -> KubeClientConfiguration {
        KubeClientConfiguration(
            server: server, tls: TLS(insecureSkipVerify: true), credentials: token.map { .bearerToken($0) } ?? .none)
    }
}
