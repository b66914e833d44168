import KubeAPI
import Synchronization

/// The UIDs of the pods the API server has bound to this node, by `namespace/name`, as the pod
/// informer last delivered them.
final class APIPodUIDs: Sendable {
    private let uids = Mutex<[String: String]>([:])

    /// Replaces the set with `pods`.
    func replace(with pods: [CoreV1.Pod]) {
        var next: [String: String] = [:]
        for pod in pods {
            guard let metadata = pod.metadata, let name = metadata.name, let uid = metadata.uid else { continue }
            next["\(metadata.namespace ?? "")/\(name)"] = uid
        }
        uids.withLock { $0 = next }
    }

    /// The UID of `namespace/name`, when the API has such a pod.
    func uid(of pod: String) -> String? { uids.withLock { $0[pod] } }
}
