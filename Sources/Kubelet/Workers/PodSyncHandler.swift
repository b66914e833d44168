import KubeAPI

/// What a pod worker calls for each phase of its pod (upstream's `podSyncer`): the kubelet
/// implements it; tests of `PodWorkers` use a recording fake.
public protocol PodSyncHandler: Sendable {
    /// Brings the runtime in line with the pod; says whether the pod has finished (Succeeded or
    /// Failed) and when to sync again.
    func syncPod(_ pod: CoreV1.Pod) async -> PodSyncOutcome
    /// Stops every container of the pod within the grace period (nil: the pod's own).
    func syncTerminatingPod(_ pod: CoreV1.Pod, gracePeriod: Int64?) async
    /// Cleans up after a stopped pod; `removed` when the pod left its source.
    func syncTerminatedPod(_ pod: CoreV1.Pod, removed: Bool) async
}

/// The result of `PodSyncHandler.syncPod`.
public struct PodSyncOutcome: Sendable, Equatable {
    /// The pod reached Succeeded or Failed: the worker moves it to terminating.
    public var isTerminal: Bool
    /// Sync again after this long (a back-off ends, or the sync failed).
    public var requeueAfter: Duration?

    public init(isTerminal: Bool = false, requeueAfter: Duration? = nil) {
        self.isTerminal = isTerminal
        self.requeueAfter = requeueAfter
    }
}
