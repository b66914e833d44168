/// Something that knows which pods should run on this node: the manifest directory, the
/// manifest URL, and (in `KubeClient`) the API server's pods bound to this node.
///
/// A source delivers complete snapshots; `PodConfig` merges the sources and turns snapshots into
/// additions, updates and removals. The first snapshot must come as soon as the source knows its
/// state, even if empty, because the kubelet waits for every source before it removes pods the
/// runtime still runs from an earlier life of the agent.
public protocol PodSource: Sendable {
    /// The source's name, the value of the `kubernetes.io/config.source` annotation.
    var name: String { get }

    /// Runs until the task is cancelled, handing each new snapshot to `deliver`.
    ///
    /// - Throws: only when the source cannot work at all (e.g. the manifest directory cannot be
    ///   watched); bad manifests are reported in the snapshot, not thrown.
    func run(deliver: @escaping @Sendable (PodSourceSnapshot) async -> Void) async throws
}
