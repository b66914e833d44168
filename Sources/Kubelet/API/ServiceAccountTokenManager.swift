import KubeAPI
import Logging

/// Upstream's token manager (`pkg/kubelet/token/token_manager.go`): caches the tokens of
/// `serviceAccountToken` projections per (namespace, service account, audiences, expiry, pod)
/// and requests a new one when the cached one has passed 80 % of its lifetime or is older than
/// 24 hours; tokens of pods that are gone are dropped.
public actor ServiceAccountTokenManager: ServiceAccountTokenSource {
    /// The expiry a projection gets when it names none (the API's default).
    public static let defaultExpirationSeconds: Int64 = 3600
    /// Tokens older than this are refreshed whatever their expiry.
    public static let maximumAge: Int64 = 24 * 3600

    private let requester: any ServiceAccountTokenRequester
    private let clock: any KubeletClock
    private let logger: Logger
    private var cache: [ServiceAccountTokenRequest: IssuedServiceAccountToken] = [:]

    public init(requester: any ServiceAccountTokenRequester, clock: any KubeletClock = SystemKubeletClock(), logger: Logger = Logger(label: "swiftlet.kubelet.tokens")) {
        self.requester = requester
        self.clock = clock
        self.logger = logger
    }

    /// The token for `request`, from the cache unless it needs a refresh. When a refresh fails
    /// and the cached token has not expired, the cached one is returned (as upstream does).
    public func token(for request: ServiceAccountTokenRequest) async throws -> String {
        let now = clock.nowNanoseconds() / 1_000_000_000
        if let cached = cache[request], !Self.requiresRefresh(cached, expirationSeconds: request.expirationSeconds, now: now) {
            return cached.token
        }
        do {
            let issued = try await requester.requestToken(request)
            cache[request] = issued
            return issued.token
        } catch {
            if let cached = cache[request], cached.expirationSeconds > now {
                logger.warning("token refresh failed; the cached token is still valid", metadata: [
                    "pod": "\(request.namespace)/\(request.podName)", "serviceAccount": "\(request.serviceAccount)", "error": "\(error)",
                ])
                return cached.token
            }
            throw error
        }
    }

    /// Drops the tokens of pods not in `podUIDs`, and expired ones.
    public func retain(podUIDs: Set<String>) {
        let now = clock.nowNanoseconds() / 1_000_000_000
        cache = cache.filter { podUIDs.contains($0.key.podUID) && $0.value.expirationSeconds > now }
    }

    /// Whether a token issued for `expirationSeconds` needs replacing at `now` (seconds): past
    /// 80 % of its lifetime, or older than 24 hours.
    public static func requiresRefresh(_ token: IssuedServiceAccountToken, expirationSeconds: Int64, now: Int64) -> Bool {
        let issuedAt = token.expirationSeconds - expirationSeconds
        if now >= issuedAt + maximumAge { return true }
        return now >= token.expirationSeconds - expirationSeconds * 20 / 100
    }

    /// The request a projection of `pod` makes.
    public static func request(for projection: CoreV1.ServiceAccountTokenProjection, pod: CoreV1.Pod) -> ServiceAccountTokenRequest {
        let account = pod.spec?.serviceAccountName ?? ""
        let audience = projection.audience ?? ""
        return ServiceAccountTokenRequest(
            namespace: pod.metadata?.namespace ?? "default", serviceAccount: account.isEmpty ? "default" : account,
            audiences: audience.isEmpty ? [] : [audience], expirationSeconds: projection.expirationSeconds ?? defaultExpirationSeconds,
            podName: pod.metadata?.name ?? "", podUID: pod.metadata?.uid ?? "")
    }
}
