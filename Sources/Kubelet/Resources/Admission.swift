import KubeAPI

/// Whether the node can take a pod, decided as upstream's kubelet admission
/// (`lifecycle/predicate.go` with the scheduler's general predicates) decides it: node name,
/// node selector, host ports, the pod count against `maxPods`, and the requests of the pods
/// already admitted against the node's allocatable resources.
public struct Admission: Sendable {
    /// The outcome for one pod.
    public enum Decision: Sendable, Equatable {
        case admit
        /// Rejected: the pod fails with this `reason` (`OutOfcpu`, `OutOfmemory`, `OutOfpods`,
        /// `NodeAffinity`, …) and `message`; its status message is `Pod was rejected: <message>`.
        case reject(reason: String, message: String)

        /// The pod status message upstream writes for a rejection.
        public var statusMessage: String? {
            if case .reject(_, let message) = self { return "Pod was rejected: " + message }
            return nil
        }
    }

    /// The node's name.
    public var nodeName: String
    /// The node's labels, for `nodeSelector`.
    public var nodeLabels: [String: String]
    /// The node's allocatable resources (`cpu`, `memory`, `ephemeral-storage`, extended ones).
    public var allocatable: [String: Quantity]
    /// KubeletConfiguration `maxPods`.
    public var maxPods: Int

    public init(nodeName: String, nodeLabels: [String: String] = [:], allocatable: [String: Quantity], maxPods: Int = 110) {
        self.nodeName = nodeName
        self.nodeLabels = nodeLabels
        self.allocatable = allocatable
        self.maxPods = maxPods
    }

    /// Decides whether `pod` may run beside `admitted` (the node's active pods).
    public func decide(_ pod: CoreV1.Pod, admitted: [CoreV1.Pod]) -> Decision {
        if let requested = pod.spec?.nodeName, !requested.isEmpty, requested != nodeName {
            return predicateFailure("NodeName", "node(s) didn't match the requested node name")
        }
        for (key, value) in pod.spec?.nodeSelector ?? [:] where nodeLabels[key] != value {
            return predicateFailure("NodeAffinity", "node(s) didn't match Pod's node affinity/selector")
        }
        let usedPorts = Set(admitted.flatMap(Self.hostPorts))
        if !usedPorts.isDisjoint(with: Self.hostPorts(of: pod)) {
            return predicateFailure("NodePorts", "node(s) didn't have free ports for the requested pod ports")
        }
        if admitted.count + 1 > maxPods {
            return insufficient("pods", requested: 1, used: Int64(admitted.count), capacity: Int64(maxPods))
        }

        let request = PodResources(pod: pod).requests
        var used: [String: Quantity] = [:]
        for other in admitted {
            for (name, quantity) in PodResources(pod: other).requests { used[name, default: .zero] += quantity }
        }
        let fixed = ["cpu", "memory", "ephemeral-storage"]
        let extended = request.keys.filter { !fixed.contains($0) && $0 != "pods" }.sorted()
        for name in fixed + extended {
            guard let wanted = request[name], wanted.sign > 0 else { continue }
            let capacity = allocatable[name] ?? .zero
            let inUse = used[name] ?? .zero
            if wanted > capacity - inUse {
                let scale: (Quantity) -> Int64 = name == "cpu" ? { $0.milliValue } : { $0.value }
                return insufficient(name, requested: scale(wanted), used: scale(inUse), capacity: scale(capacity))
            }
        }
        return .admit
    }

    private func predicateFailure(_ name: String, _ description: String) -> Decision {
        .reject(reason: name, message: "Predicate \(name) failed: \(description)")
    }

    private func insufficient(_ resource: String, requested: Int64, used: Int64, capacity: Int64) -> Decision {
        .reject(
            reason: "OutOf" + resource,
            message: "Node didn't have enough resource: \(resource), requested: \(requested), used: \(used), capacity: \(capacity)")
    }

    private struct HostPort: Hashable {
        var ip: String
        var proto: String
        var port: Int32
    }

    private static func hostPorts(of pod: CoreV1.Pod) -> [HostPort] {
        let containers = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
        return containers.flatMap { container in
            (container.ports ?? []).compactMap { port in
                guard let hostPort = port.hostPort, hostPort > 0 else { return nil }
                let ip = port.hostIP ?? ""
                return HostPort(ip: ip.isEmpty ? "0.0.0.0" : ip, proto: port.protocol ?? "TCP", port: hostPort)
            }
        }
    }
}
