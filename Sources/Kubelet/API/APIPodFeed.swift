import KubeAPI

/// The pods the API server has bound to this node (a list + watch of pods with
/// `spec.nodeName=<node>`), as complete snapshots: the seam between the kubelet core and the
/// API client, which the agent implements over its pod informer.
public protocol APIPodFeed: Sendable {
    /// Runs until the task is cancelled, handing `deliver` every pod bound to the node each time
    /// the set changes; the first call comes once the initial list is complete (even if empty).
    ///
    /// - Throws: only when the feed cannot work at all; a dropped watch is the feed's to resume.
    func run(deliver: @escaping @Sendable ([CoreV1.Pod]) async -> Void) async throws
}
