import Synchronization

/// The state behind kube-proxy's `/healthz` and `/livez` (port 10256), with upstream's
/// semantics: a proxier is unhealthy when an update has been queued for longer than
/// `healthTimeout` without a successful sync; `/healthz` is also unhealthy while the node is
/// being deleted (or tainted `ToBeDeletedByClusterAutoscaler`), `/livez` is not. Shared by the
/// proxiers of both families; the HTTP server (NodeAgent) asks it for responses.
public final class ProxyHealth: Sendable {
    /// The taint the cluster autoscaler puts on a node before deleting it.
    public static let toBeDeletedTaint = "ToBeDeletedByClusterAutoscaler"

    /// `healthTimeout`: upstream uses twice the sync period.
    public let healthTimeout: Double
    private let state = Mutex(State())
    private let now: @Sendable () -> Double

    struct State {
        var lastUpdated: [ProxyIPFamily: Double] = [:]
        var oldestPendingQueued: [ProxyIPFamily: Double] = [:]
        var nodeEligible = true
    }

    /// - Parameters:
    ///   - healthTimeoutSeconds: how long a queued update may wait for a sync.
    ///   - now: the wall clock (tests pass their own).
    public init(healthTimeoutSeconds: Double, now: @escaping @Sendable () -> Double = WallClock.now) {
        healthTimeout = healthTimeoutSeconds
        self.now = now
    }

    /// A proxier programmed the current state successfully.
    public func updated(_ family: ProxyIPFamily) {
        let time = now()
        state.withLock {
            $0.oldestPendingQueued[family] = nil
            $0.lastUpdated[family] = time
        }
    }

    /// A proxier received a change it has not programmed yet.
    public func queuedUpdate(_ family: ProxyIPFamily) {
        let time = now()
        state.withLock {
            if $0.oldestPendingQueued[family] == nil { $0.oldestPendingQueued[family] = time }
        }
    }

    /// Records whether this node is being deleted or is tainted for deletion.
    public func syncNode(beingDeleted: Bool, taintKeys: [String]) {
        state.withLock { $0.nodeEligible = !beingDeleted && !taintKeys.contains(Self.toBeDeletedTaint) }
    }

    /// The proxiers' health, ignoring the node, and the latest successful update.
    public func isHealthy() -> (healthy: Bool, lastUpdated: Double) {
        let current = now()
        return state.withLock { state in
            var lastUpdated = 0.0
            for (family, updated) in state.lastUpdated {
                lastUpdated = max(lastUpdated, updated)
                guard let queued = state.oldestPendingQueued[family] else { continue }
                if current - queued < healthTimeout { continue }
                return (false, updated)
            }
            return (true, lastUpdated)
        }
    }

    /// An HTTP response of the health endpoints.
    public struct Response: Sendable, Equatable {
        /// 200 or 503.
        public var status: Int
        public var contentType = "application/json"
        public var body: String
    }

    /// The `/healthz` response.
    public func healthz() -> Response {
        let eligible = state.withLock { $0.nodeEligible }
        var (healthy, lastUpdated) = isHealthy()
        let current = now()
        healthy = healthy && eligible
        if healthy { lastUpdated = current }
        return Response(status: healthy ? 200 : 503,
                        body: "{\"lastUpdated\": \"\(WallClock.goFormat(lastUpdated))\",\"currentTime\": \"\(WallClock.goFormat(current))\", \"nodeEligible\": \(eligible)}")
    }

    /// The `/livez` response.
    public func livez() -> Response {
        var (healthy, lastUpdated) = isHealthy()
        let current = now()
        if healthy { lastUpdated = current }
        return Response(status: healthy ? 200 : 503,
                        body: "{\"lastUpdated\": \"\(WallClock.goFormat(lastUpdated))\",\"currentTime\": \"\(WallClock.goFormat(current))\"}")
    }
}
