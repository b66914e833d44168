import KubeAPI

/// A change to the desired pods, as `PodConfig` hands it to the pod workers.
public enum PodUpdate: Sendable, Equatable {
    /// A pod appeared in a source.
    case add(CoreV1.Pod)
    /// A pod's spec or metadata changed (same UID).
    case update(CoreV1.Pod)
    /// A pod left its source: it is stopped gracefully and forgotten.
    case remove(CoreV1.Pod)
    /// The ConfigMaps, Secrets or Services of a source changed.
    case objectsChanged
    /// Every source has delivered its first snapshot: what the runtime runs beyond these pods
    /// belongs to no one and may be cleaned up.
    case sourcesReady
}
