import ContainerRuntime
import KubeAPI
import Kubelet

/// What the local API reads: the kubelet's pods with their statuses, and the runtime for a
/// container's log file and for exec.
public struct LocalPodDirectory: Sendable {
    let statuses: PodStatusStore
    let runtime: any ContainerRuntime

    public init(statuses: PodStatusStore, runtime: any ContainerRuntime) {
        self.statuses = statuses
        self.runtime = runtime
    }

    /// Every pod, or those of one namespace, sorted by namespace and name.
    func pods(namespace: String?) async -> [CoreV1.Pod] {
        await statuses.all
            .filter { $0.status?.phase != nil && (namespace == nil || $0.metadata?.namespace == namespace) }
            .sorted { ($0.metadata?.namespace ?? "", $0.metadata?.name ?? "") < ($1.metadata?.namespace ?? "", $1.metadata?.name ?? "") }
    }

    /// One pod by namespace and name.
    ///
    /// - Throws: ``LocalAPIError`` 404 `pods "NAME" not found` as the API server words it.
    func pod(namespace: String, name: String) async throws(LocalAPIError) -> CoreV1.Pod {
        guard let pod = await statuses.pod(named: "\(namespace)/\(name)"), pod.status?.phase != nil else {
            throw .notFound("pods \"\(name)\" not found in namespace \"\(namespace)\"")
        }
        return pod
    }

    /// The runtime's ID of a pod's container: the current instance, or with `previous` the one
    /// before the last restart. Without a container name the pod must have exactly one container.
    ///
    /// - Throws: ``LocalAPIError`` 400 when a name is needed or unknown, 404 when the container
    ///   has not started yet or there is no previous instance.
    func containerID(namespace: String, name: String, container: String?, previous: Bool) async throws(LocalAPIError) -> String {
        let pod = try await pod(namespace: namespace, name: name)
        let spec = pod.spec
        let names = (spec?.initContainers ?? []).map(\.name) + (spec?.containers ?? []).map(\.name)
        let chosen: String
        if let container {
            guard names.contains(container) else {
                throw .badRequest("container \(container) is not valid for pod \(name)")
            }
            chosen = container
        } else {
            let main = (spec?.containers ?? []).map(\.name)
            guard main.count == 1 else {
                throw .badRequest("a container name must be specified for pod \(name), choose one of: [\(main.joined(separator: " "))]")
            }
            chosen = main[0]
        }
        let statuses = (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? [])
        let status = statuses.first { $0.name == chosen }
        let reference = previous ? status?.lastState?.terminated?.containerID : status?.containerID
        guard let reference, !reference.isEmpty else {
            throw previous
                ? .notFound("previous terminated container \"\(chosen)\" in pod \"\(name)\" not found")
                : .badRequest("container \"\(chosen)\" in pod \"\(name)\" is waiting to start: \(status?.state?.waiting?.reason ?? "ContainerCreating")")
        }
        return reference.split(separator: "/").last.map(String.init) ?? reference
    }
}
