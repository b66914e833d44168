import KubeAPI

/// Where the tokens of `serviceAccountToken` projections come from (the token manager in API
/// mode). A `ConfigObjectLookup` that also conforms supplies them to the pod's volumes.
public protocol ServiceAccountTokenSource: Sendable {
    /// The token for the request. Throws when none can be had.
    func token(for request: ServiceAccountTokenRequest) async throws -> String
}
