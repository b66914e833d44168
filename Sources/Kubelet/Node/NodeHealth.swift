/// What the node's conditions are computed from at one moment: the runtime's and the network's
/// problems (upstream's `runtimeState` errors) and the eviction manager's pressure signals.
public struct NodeHealth: Sendable, Hashable {
    /// Runtime problems, e.g. `container runtime is down`.
    public var runtimeErrors: [String]
    /// Network problems, e.g. `container runtime network not ready: NetworkReady=false …`.
    public var networkErrors: [String]
    /// Storage problems.
    public var storageErrors: [String]
    public var memoryPressure: Bool
    public var diskPressure: Bool
    public var pidPressure: Bool

    /// Creates a health snapshot; the default is healthy.
    public init(
        runtimeErrors: [String] = [], networkErrors: [String] = [], storageErrors: [String] = [],
        memoryPressure: Bool = false, diskPressure: Bool = false, pidPressure: Bool = false
    ) {
        self.runtimeErrors = runtimeErrors
        self.networkErrors = networkErrors
        self.storageErrors = storageErrors
        self.memoryPressure = memoryPressure
        self.diskPressure = diskPressure
        self.pidPressure = pidPressure
    }

    /// A healthy node.
    public static let healthy = NodeHealth()
}
