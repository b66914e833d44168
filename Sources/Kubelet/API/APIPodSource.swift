import KubeAPI

/// The `api` pod source (upstream's `config/apiserver.go`): the pods bound to this node become
/// desired pods beside the static ones, and flow through `PodConfig` into the same workers.
///
/// Mirror pods (those with `kubernetes.io/config.mirror`) are the API's view of static pods and
/// are never run: they go to the `MirrorPodRegistry` instead.
public struct APIPodSource: PodSource {
    /// The source name, also the `kubernetes.io/config.source` annotation of its pods.
    public static let sourceName = "api"

    public var name: String { Self.sourceName }
    private let feed: any APIPodFeed
    private let mirrors: MirrorPodRegistry

    /// A source over `feed`; mirror pods it sees are recorded in `mirrors`.
    public init(feed: any APIPodFeed, mirrors: MirrorPodRegistry) {
        self.feed = feed
        self.mirrors = mirrors
    }

    public func run(deliver: @escaping @Sendable (PodSourceSnapshot) async -> Void) async throws {
        try await feed.run { [mirrors] pods in
            let (regular, mirrorPods) = Self.split(pods)
            mirrors.replace(with: mirrorPods)
            await deliver(PodSourceSnapshot(source: Self.sourceName, pods: regular))
        }
    }

    /// Separates mirror pods from the pods to run, marking the latter with their source.
    static func split(_ pods: [CoreV1.Pod]) -> (regular: [CoreV1.Pod], mirrors: [CoreV1.Pod]) {
        var regular: [CoreV1.Pod] = []
        var mirrorPods: [CoreV1.Pod] = []
        for pod in pods {
            if MirrorPods.isMirror(pod) {
                mirrorPods.append(pod)
                continue
            }
            var marked = pod
            var metadata = marked.metadata ?? MetaV1.ObjectMeta()
            metadata.annotations = (metadata.annotations ?? [:]).merging(
                [StaticPodDefaults.configSourceAnnotation: sourceName], uniquingKeysWith: { $1 })
            marked.metadata = metadata
            regular.append(marked)
        }
        return (regular, mirrorPods)
    }

    /// Whether the pod came from the API server (not a static pod from a file or URL).
    public static func isAPIPod(_ pod: CoreV1.Pod) -> Bool {
        pod.metadata?.annotations?[StaticPodDefaults.configSourceAnnotation] == sourceName
    }
}
