import KubeAPI

/// The configuration the Node object is built from (the KubeletConfiguration fields, as plain
/// values: the agent converts its configuration into this).
public struct NodeStatusSettings: Sendable, Hashable {
    /// The node's name (`metadata.name`), lower case.
    public var nodeName: String
    /// The node's IPs (`--node-ip`), reported as `InternalIP` addresses before the `Hostname`.
    public var nodeIPs: [String]
    /// `nodeLabels`, set over the default labels.
    public var labels: [String: String]
    /// `registerWithTaints`.
    public var taints: [CoreV1.Taint]
    /// `registerSchedulable` (false adds the `node.kubernetes.io/unschedulable` taint).
    public var registerSchedulable: Bool
    /// `maxPods`.
    public var maxPods: Int32
    /// `podsPerCore` (0: no per-core limit).
    public var podsPerCore: Int32
    /// `kubeReserved` (resource → quantity text).
    public var kubeReserved: [String: String]
    /// `systemReserved` (resource → quantity text).
    public var systemReserved: [String: String]
    /// `evictionHard` (signal → quantity or percentage text).
    public var evictionHard: [String: String]
    /// `nodeStatusMaxImages`: how many images `status.images` lists, largest first (-1: all).
    public var maxImages: Int32
    /// `localStorageCapacityIsolation`: whether `ephemeral-storage` capacity is required for Ready.
    public var localStorageCapacityIsolation: Bool
    /// `enableControllerAttachDetach`: sets the `volumes.kubernetes.io/controller-managed-attach-detach` annotation.
    public var controllerAttachDetach: Bool
    /// The kubelet's port (`port`), reported in `daemonEndpoints.kubeletEndpoint.Port`.
    public var kubeletPort: Int32
    /// The kubelet's version (`v1.37.0` style).
    public var kubeletVersion: String
    /// The kube-proxy version; swiftlet is its own proxy, so the same version.
    public var kubeProxyVersion: String
    /// The runtime as `<type>://<version>` (`swiftlet://0.1.0`).
    public var containerRuntimeVersion: String

    /// Creates settings with upstream's defaults for what is not given.
    public init(
        nodeName: String, nodeIPs: [String] = [], labels: [String: String] = [:], taints: [CoreV1.Taint] = [],
        registerSchedulable: Bool = true, maxPods: Int32 = 110, podsPerCore: Int32 = 0,
        kubeReserved: [String: String] = [:], systemReserved: [String: String] = [:],
        evictionHard: [String: String] = NodeStatusSettings.defaultEvictionHard, maxImages: Int32 = 50,
        localStorageCapacityIsolation: Bool = true, controllerAttachDetach: Bool = true, kubeletPort: Int32 = 10250,
        kubeletVersion: String, kubeProxyVersion: String? = nil, containerRuntimeVersion: String
    ) {
        self.nodeName = nodeName
        self.nodeIPs = nodeIPs
        self.labels = labels
        self.taints = taints
        self.registerSchedulable = registerSchedulable
        self.maxPods = maxPods
        self.podsPerCore = podsPerCore
        self.kubeReserved = kubeReserved
        self.systemReserved = systemReserved
        self.evictionHard = evictionHard
        self.maxImages = maxImages
        self.localStorageCapacityIsolation = localStorageCapacityIsolation
        self.controllerAttachDetach = controllerAttachDetach
        self.kubeletPort = kubeletPort
        self.kubeletVersion = kubeletVersion
        self.kubeProxyVersion = kubeProxyVersion ?? kubeletVersion
        self.containerRuntimeVersion = containerRuntimeVersion
    }

    /// Upstream's default `evictionHard` on Linux.
    public static let defaultEvictionHard: [String: String] = [
        "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%",
        "imagefs.available": "15%", "imagefs.inodesFree": "5%",
    ]
}
