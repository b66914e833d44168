import KubeAPI

/// The latest status of every pod the kubelet runs (the local status sink: the API source
/// patches it to the API server instead), with a change stream for readers such as the
/// endpoint computation and tests.
public actor PodStatusStore {
    private var pods: [String: CoreV1.Pod] = [:]
    private var subscribers: [Int: AsyncStream<CoreV1.Pod>.Continuation] = [:]
    private var nextSubscriber = 0

    public init() {}

    /// Records the pod with its new status; subscribers hear of it when it changed.
    public func set(_ pod: CoreV1.Pod, status: CoreV1.PodStatus) {
        let uid = pod.metadata?.uid ?? ""
        var stored = pod
        stored.status = status
        if pods[uid] == stored { return }
        pods[uid] = stored
        for continuation in subscribers.values { continuation.yield(stored) }
    }

    /// Forgets a pod that is gone.
    public func remove(uid: String) {
        guard let pod = pods.removeValue(forKey: uid) else { return }
        var gone = pod
        gone.status?.phase = nil
        for continuation in subscribers.values { continuation.yield(gone) }
    }

    /// The pod with its status, by UID.
    public func pod(uid: String) -> CoreV1.Pod? { pods[uid] }

    /// The pod with its status, by `namespace/name`.
    public func pod(named fullName: String) -> CoreV1.Pod? {
        pods.values.first { "\($0.metadata?.namespace ?? "")/\($0.metadata?.name ?? "")" == fullName }
    }

    /// Every pod with its status.
    public var all: [CoreV1.Pod] { Array(pods.values) }

    /// Every change from now on (a removed pod arrives with no phase).
    public func changes() -> AsyncStream<CoreV1.Pod> {
        let (stream, continuation) = AsyncStream.makeStream(of: CoreV1.Pod.self)
        let key = nextSubscriber
        nextSubscriber += 1
        subscribers[key] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(key) } }
        return stream
    }

    /// Waits until some pod satisfies `predicate` and returns it.
    public func first(where predicate: @Sendable (CoreV1.Pod) -> Bool) async -> CoreV1.Pod? {
        if let pod = pods.values.first(where: predicate) { return pod }
        for await pod in changes() where predicate(pod) { return pod }
        return nil
    }

    private func unsubscribe(_ key: Int) { subscribers[key] = nil }
}
