import KubeAPI
import Logging

/// Merges the pod sources into one stream of `PodUpdate`s (upstream's `PodConfig` with its
/// `podStorage`): each source's snapshot is compared with its previous one by pod UID; a pod name
/// already used by another source is refused with an issue, so two sources never run the same pod.
public actor PodConfig {
    private struct SourceState {
        var pods: [String: CoreV1.Pod] = [:]
        var snapshot = PodSourceSnapshot(source: "", pods: [])
        var seen = false
    }

    private var sources: [String: SourceState] = [:]
    private let expectedSources: Set<String>
    private var announcedReady = false
    private let continuation: AsyncStream<PodUpdate>.Continuation
    private let logger: Logger
    /// The merged changes, in order. One consumer.
    public nonisolated let updates: AsyncStream<PodUpdate>

    /// A merger for the named sources; `sourcesReady` follows once each has delivered.
    public init(sources: [String], logger: Logger = Logger(label: "swiftlet.kubelet.config")) {
        expectedSources = Set(sources)
        (updates, continuation) = AsyncStream.makeStream(of: PodUpdate.self)
        self.logger = logger
        if sources.isEmpty {
            announcedReady = true
            continuation.yield(.sourcesReady)
        }
    }

    /// Takes a source's new snapshot and emits what changed.
    public func apply(_ snapshot: PodSourceSnapshot) {
        var state = sources[snapshot.source] ?? SourceState()
        let takenNames = Set(sources.filter { $0.key != snapshot.source }.values.flatMap { $0.pods.values.map(Self.fullName) })
        var next: [String: CoreV1.Pod] = [:]
        var duplicateIssues: [ManifestIssue] = []
        var namesHere: Set<String> = []
        for pod in snapshot.pods {
            let uid = pod.metadata?.uid ?? ""
            let name = Self.fullName(pod)
            if takenNames.contains(name) || namesHere.contains(name) || next[uid] != nil {
                duplicateIssues.append(ManifestIssue(
                    location: snapshot.source, message: "pod \(name) (uid \(uid)) is defined more than once; the first definition is used",
                    podName: name))
                continue
            }
            namesHere.insert(name)
            next[uid] = pod
        }
        for (uid, old) in state.pods where next[uid] == nil {
            continuation.yield(.remove(old))
        }
        for pod in snapshot.pods {
            let uid = pod.metadata?.uid ?? ""
            guard let new = next[uid], new == pod else { continue }
            if let old = state.pods[uid] {
                if Self.changed(old, new) { continuation.yield(.update(new)) }
            } else {
                continuation.yield(.add(new))
            }
        }
        if state.snapshot.configMaps != snapshot.configMaps || state.snapshot.secrets != snapshot.secrets
            || state.snapshot.services != snapshot.services
        {
            continuation.yield(.objectsChanged)
        }
        var stored = snapshot
        stored.issues += duplicateIssues
        for issue in duplicateIssues { logger.error("duplicate pod, ignored", metadata: ["source": "\(snapshot.source)", "problem": "\(issue.message)"]) }
        state.pods = next
        state.snapshot = stored
        state.seen = true
        sources[snapshot.source] = state
        if !announcedReady, expectedSources.allSatisfy({ sources[$0]?.seen == true }) {
            announcedReady = true
            continuation.yield(.sourcesReady)
        }
    }

    /// Every source's latest problems.
    public var issues: [ManifestIssue] { sources.keys.sorted().flatMap { sources[$0]!.snapshot.issues } }

    /// The desired pods of every source.
    public var pods: [CoreV1.Pod] { sources.values.flatMap { $0.pods.values } }

    /// The standalone objects of every source.
    public var configMaps: [CoreV1.ConfigMap] { sources.values.flatMap(\.snapshot.configMaps) }
    public var secrets: [CoreV1.Secret] { sources.values.flatMap(\.snapshot.secrets) }
    public var services: [CoreV1.Service] { sources.values.flatMap(\.snapshot.services) }

    /// Ends the update stream.
    public func finish() { continuation.finish() }

    static func fullName(_ pod: CoreV1.Pod) -> String { "\(pod.metadata?.namespace ?? "")/\(pod.metadata?.name ?? "")" }

    /// Upstream compares spec, labels, annotations (bar `config.seen`) and deletion fields.
    private static func changed(_ old: CoreV1.Pod, _ new: CoreV1.Pod) -> Bool {
        var a = old
        var b = new
        a.status = nil
        b.status = nil
        a.metadata?.annotations?[StaticPodDefaults.configSeenAnnotation] = nil
        b.metadata?.annotations?[StaticPodDefaults.configSeenAnnotation] = nil
        return a != b
    }
}
