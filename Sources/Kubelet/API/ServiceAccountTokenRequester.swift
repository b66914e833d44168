/// Requests service-account tokens from the API server (`POST
/// /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`, a TokenRequest); the agent implements
/// it over its API client.
public protocol ServiceAccountTokenRequester: Sendable {
    /// A token for `request`, bound to the pod it names.
    ///
    /// - Throws: when the server refuses or cannot be reached; the pod's volume set-up fails and
    ///   is retried.
    func requestToken(_ request: ServiceAccountTokenRequest) async throws -> IssuedServiceAccountToken
}

/// What a `serviceAccountToken` projection asks for (a TokenRequest's spec and target).
public struct ServiceAccountTokenRequest: Sendable, Hashable {
    public var namespace: String
    /// The service account (`spec.serviceAccountName`, `default` when empty).
    public var serviceAccount: String
    /// The audiences; empty means the API server's own.
    public var audiences: [String]
    public var expirationSeconds: Int64
    /// The pod the token is bound to (`boundObjectRef` kind Pod, name and UID).
    public var podName: String
    public var podUID: String

    public init(namespace: String, serviceAccount: String, audiences: [String], expirationSeconds: Int64, podName: String, podUID: String) {
        self.namespace = namespace
        self.serviceAccount = serviceAccount
        self.audiences = audiences
        self.expirationSeconds = expirationSeconds
        self.podName = podName
        self.podUID = podUID
    }
}

/// A token the API server issued (a TokenRequest's status).
public struct IssuedServiceAccountToken: Sendable, Hashable {
    public var token: String
    /// `status.expirationTimestamp`, in seconds since the Unix epoch.
    public var expirationSeconds: Int64

    public init(token: String, expirationSeconds: Int64) {
        self.token = token
        self.expirationSeconds = expirationSeconds
    }
}
