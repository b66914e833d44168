/// One sandbox's network attachment request.
public struct PodNetworkRequest: Sendable, Hashable {
    /// The sandbox id (CNI's container id).
    public var sandboxID: String
    /// The path of the sandbox's network namespace (may be empty on DEL when it is gone).
    public var namespacePath: String
    /// The interface name inside the pod.
    public var interfaceName: String
    /// `namespace/name` of the pod, for leases and logs.
    public var podReference: String
    /// The pod's UID, passed to CNI plugins as `K8S_POD_UID`.
    public var podUID: String
    /// The pod's `hostPort` mappings.
    public var portMappings: [HostPortMapping]

    /// A request for the sandbox `sandboxID`.
    public init(sandboxID: String, namespacePath: String, interfaceName: String = "eth0",
                podReference: String = "", podUID: String = "", portMappings: [HostPortMapping] = []) {
        self.sandboxID = sandboxID
        self.namespacePath = namespacePath
        self.interfaceName = interfaceName
        self.podReference = podReference
        self.podUID = podUID
        self.portMappings = portMappings
    }
}
