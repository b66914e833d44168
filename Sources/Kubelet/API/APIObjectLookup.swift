import KubeAPI

/// The kubelet's object lookup in API mode: ConfigMaps and Secrets from `objects`, and the
/// tokens of `serviceAccountToken` projections from the token manager.
public struct APIObjectLookup: ConfigObjectLookup, ServiceAccountTokenSource {
    public var objects: any ConfigObjectLookup
    public var tokens: ServiceAccountTokenManager?

    public init(objects: any ConfigObjectLookup, tokens: ServiceAccountTokenManager?) {
        self.objects = objects
        self.tokens = tokens
    }

    public func configMap(namespace: String, name: String) async throws -> CoreV1.ConfigMap? {
        try await objects.configMap(namespace: namespace, name: name)
    }

    public func secret(namespace: String, name: String) async throws -> CoreV1.Secret? {
        try await objects.secret(namespace: namespace, name: name)
    }

    /// - Throws: `MissingTokenRequester` when the connection has no token requester.
    public func token(for request: ServiceAccountTokenRequest) async throws -> String {
        guard let tokens else { throw MissingTokenRequester() }
        return try await tokens.token(for: request)
    }

    /// The kubelet was given no way to request service-account tokens.
    public struct MissingTokenRequester: Error, CustomStringConvertible {
        public var description: String { "the kubelet has no TokenRequest client" }
    }
}
