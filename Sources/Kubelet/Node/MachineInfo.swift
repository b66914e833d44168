// Node: the kubelet's side of the Node object, its Lease and its Events, as upstream's
// `kubelet_node_status.go`, `pkg/kubelet/nodestatus`, component-helpers' lease controller and
// client-go's `EventCorrelator` do them.
//
// It must not know about the API server's transport: it talks to narrow protocols
// (`NodeClient`, `NodeLeaseClient`, `EventWriter`) that the agent implements over its client,
// reads machine facts through `MachineInfoSource`, and waits through `LoopSleeper`.

/// What the node's hardware and operating system are, as the kubelet reports them in
/// `status.capacity` and `status.nodeInfo`.
public struct MachineInfo: Sendable, Hashable {
    /// Logical CPUs the agent may use.
    public var cpuCores: Int
    /// `MemTotal` in bytes.
    public var memoryBytes: Int64
    /// Huge page pools: page size in bytes → pages.
    public var hugePages: [Int64: Int64]
    /// Capacity of the filesystem holding the kubelet's root directory, in bytes (nil: unknown).
    public var ephemeralStorageBytes: Int64?
    /// `/etc/machine-id`.
    public var machineID: String
    /// `/sys/class/dmi/id/product_uuid` (empty when unreadable, as for a non-root reader).
    public var systemUUID: String
    /// `/proc/sys/kernel/random/boot_id`.
    public var bootID: String
    /// `uname -r`.
    public var kernelVersion: String
    /// `PRETTY_NAME` of `/etc/os-release`.
    public var osImage: String
    /// `linux`.
    public var operatingSystem: String
    /// Go's name of the architecture: `amd64`, `arm64`, …
    public var architecture: String
    /// The host name, lower-cased as upstream's node name is.
    public var hostname: String

    /// Creates machine facts.
    public init(
        cpuCores: Int, memoryBytes: Int64, hugePages: [Int64: Int64] = [:], ephemeralStorageBytes: Int64? = nil,
        machineID: String, systemUUID: String, bootID: String, kernelVersion: String, osImage: String,
        operatingSystem: String = "linux", architecture: String, hostname: String
    ) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.hugePages = hugePages
        self.ephemeralStorageBytes = ephemeralStorageBytes
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.operatingSystem = operatingSystem
        self.architecture = architecture
        self.hostname = hostname
    }
}

/// Where machine facts come from: the running system, or fixed values in tests.
public protocol MachineInfoSource: Sendable {
    /// Reads the machine's facts now (boot ID and capacity can change across calls).
    func machineInfo() throws -> MachineInfo
}

/// Fixed machine facts.
public struct FixedMachineInfoSource: MachineInfoSource {
    public var info: MachineInfo
    /// Creates a source that always answers `info`.
    public init(_ info: MachineInfo) { self.info = info }
    public func machineInfo() throws -> MachineInfo { info }
}
