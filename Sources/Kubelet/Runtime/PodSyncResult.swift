/// The outcome of one sync of a pod.
public struct PodSyncResult: Sendable, Equatable {
    /// Containers that could not be started, by name.
    public var containerErrors: [String: ContainerSyncError] = [:]
    /// The sandbox could not be made or found; the pod is retried.
    public var sandboxError: String?
    /// The pod's volumes could not be set up; its containers wait (upstream's `FailedMount`).
    public var volumeError: String?
    /// When a back-off ends and the pod should be synced again.
    public var requeueAfter: Duration?
    /// A regular init container failed under `restartPolicy: Never`.
    public var initializationFailed = false

    public init() {}

    mutating func requeue(after delay: Duration) {
        requeueAfter = min(requeueAfter ?? delay, delay)
    }
}
