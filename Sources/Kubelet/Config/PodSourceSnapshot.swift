import KubeAPI

/// Everything one pod source wants on the node right now (upstream's `SET` operation): the
/// source replaces its previous snapshot as a whole, and `PodConfig` works out what changed.
public struct PodSourceSnapshot: Sendable {
    /// The source's name: `file`, `http` or `api` (the `kubernetes.io/config.source` annotation).
    public var source: String
    /// The pods, already defaulted (names, namespaces, UIDs) and validated.
    public var pods: [CoreV1.Pod]
    /// ConfigMaps, Secrets and Services found beside the pods (standalone use only).
    public var configMaps: [CoreV1.ConfigMap]
    public var secrets: [CoreV1.Secret]
    public var services: [CoreV1.Service]
    /// What could not be used, each naming its file, line and field path.
    public var issues: [ManifestIssue]

    public init(
        source: String, pods: [CoreV1.Pod], configMaps: [CoreV1.ConfigMap] = [], secrets: [CoreV1.Secret] = [],
        services: [CoreV1.Service] = [], issues: [ManifestIssue] = []
    ) {
        self.source = source
        self.pods = pods
        self.configMaps = configMaps
        self.secrets = secrets
        self.services = services
        self.issues = issues
    }
}
