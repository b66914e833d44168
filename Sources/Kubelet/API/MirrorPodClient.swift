import KubeAPI

/// Writes mirror pods to the API server (upstream's `MirrorClient`); the agent implements it over
/// its API client.
public protocol MirrorPodClient: Sendable {
    /// Creates the pod. An existing pod of the same name carrying the same
    /// `kubernetes.io/config.mirror` value counts as success.
    func createMirrorPod(_ pod: CoreV1.Pod) async throws
    /// Deletes the pod with grace period 0 and the UID precondition; a pod already gone is not an
    /// error.
    func deleteMirrorPod(namespace: String, name: String, uid: String) async throws
    /// The UID of the Node object, for the mirror pods' owner reference.
    func nodeUID() async throws -> String
}
