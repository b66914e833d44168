import KubeAPI
import Kubelet
import ServiceLifecycle
import Synchronization

/// The UID of every pod the kubelet knows, by `namespace/name`, so the Events sent to the API
/// server name their pod with its UID (`kubectl describe pod` selects events by it). Kept
/// current from the kubelet's status changes, and from the API's pods (`apiPods`), which are
/// known before the kubelet first reports their status (its first events come earlier).
final class PodReferenceIndex: Service, Sendable {
    private let statuses: PodStatusStore
    private let apiPods: APIPodUIDs?
    private let uids = Mutex<[String: String]>([:])

    init(statuses: PodStatusStore, apiPods: APIPodUIDs? = nil) {
        self.statuses = statuses
        self.apiPods = apiPods
    }

    /// The reference for an event about `namespace/name`, with the UID when the pod is known.
    func reference(nodeName: String) -> @Sendable (KubeletEvent) -> CoreV1.ObjectReference? {
        let base = ClusterEventRecorder.defaultReference(nodeName: nodeName)
        return { [self] event in
            guard var reference = base(event) else { return nil }
            if reference.kind == "Pod" { reference.uid = event.uid ?? uid(of: event.object) }
            return reference
        }
    }

    /// The UID of the pod `namespace/name`, when known.
    func uid(of pod: String) -> String? { uids.withLock { $0[pod] } ?? apiPods?.uid(of: pod) }

    func run() async throws {
        let changes = await statuses.changes()
        for pod in await statuses.all { note(pod) }
        await cancelWhenGracefulShutdown {
            for await pod in changes { self.note(pod) }
        }
    }

    private func note(_ pod: CoreV1.Pod) {
        guard let metadata = pod.metadata, let name = metadata.name, let uid = metadata.uid else { return }
        let key = "\(metadata.namespace ?? "")/\(name)"
        uids.withLock { $0[key] = pod.status?.phase == nil ? nil : uid }
    }
}
