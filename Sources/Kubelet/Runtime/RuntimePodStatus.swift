import ContainerRuntime

/// What the runtime has for one pod (upstream's `kubecontainer.PodStatus`): its sandboxes and
/// containers, newest first, found by the pod UID label.
public struct RuntimePodStatus: Sendable, Equatable {
    public var uid: String
    public var name: String
    public var namespace: String
    /// Newest first.
    public var sandboxes: [PodSandboxStatus]
    /// Newest first.
    public var containers: [RuntimeContainerStatus]

    public init(uid: String, name: String, namespace: String, sandboxes: [PodSandboxStatus] = [], containers: [RuntimeContainerStatus] = []) {
        self.uid = uid
        self.name = name
        self.namespace = namespace
        self.sandboxes = sandboxes
        self.containers = containers
    }

    /// The newest container of this name.
    public func latest(_ name: String) -> RuntimeContainerStatus? { containers.first { $0.metadata.name == name } }

    /// The second newest container of this name (for `lastState`).
    public func previous(_ name: String) -> RuntimeContainerStatus? {
        containers.filter { $0.metadata.name == name }.dropFirst().first
    }

    /// The pod's IPs, from the newest ready sandbox.
    public var ips: [String] {
        guard let sandbox = sandboxes.first, sandbox.state == .ready, !sandbox.ip.isEmpty else { return [] }
        return [sandbox.ip] + sandbox.additionalIPs
    }

    /// Whether any container of the pod runs.
    public var hasRunningContainers: Bool { containers.contains { $0.state == .running } }
}
