/// The kubelet's seams to the API server, which the agent implements over its API client: the
/// pods bound to the node, status writes and deletions, and mirror pods. A kubelet without one
/// runs standalone.
public struct KubeletAPIConnection: Sendable {
    /// The pods bound to this node.
    public var pods: any APIPodFeed
    /// Where pod status is patched and finished pods are deleted.
    public var statusWriter: any PodStatusWriter
    /// Where static pods' mirror pods are created and deleted.
    public var mirrorPods: any MirrorPodClient
    /// Where the ConfigMaps and Secrets the node's pods refer to are fetched and watched; nil
    /// leaves them to the kubelet's `objects` lookup.
    public var configObjects: (any ConfigObjectWatcher)?
    /// Where the tokens of `serviceAccountToken` projections are requested.
    public var tokens: (any ServiceAccountTokenRequester)?
    /// How often every pod's status and mirror pod are reconciled (upstream: 10 s).
    public var syncPeriod: Duration

    public init(
        pods: any APIPodFeed, statusWriter: any PodStatusWriter, mirrorPods: any MirrorPodClient,
        configObjects: (any ConfigObjectWatcher)? = nil, tokens: (any ServiceAccountTokenRequester)? = nil,
        syncPeriod: Duration = .seconds(10)
    ) {
        self.configObjects = configObjects
        self.tokens = tokens
        self.pods = pods
        self.statusWriter = statusWriter
        self.mirrorPods = mirrorPods
        self.syncPeriod = syncPeriod
    }
}
