import ContainerRuntime

/// How the native runtime is set up on a node.
public struct NativeRuntimeConfiguration: Sendable {
    /// Which cgroup hierarchy the node has.
    public enum CgroupMode: Sendable, Equatable {
        /// Version 1: one hierarchy per controller under `root`.
        case v1(root: String, controllers: [String])
        /// Version 2: the unified hierarchy at `root`.
        case v2(root: String)

        /// The mode of this machine: v2 when `/sys/fs/cgroup` is a unified hierarchy.
        public static func detect() -> CgroupMode {
            FileSystem.exists("/sys/fs/cgroup/cgroup.controllers")
                ? .v2(root: "/sys/fs/cgroup")
                : .v1(root: "/sys/fs/cgroup", controllers: ["cpu", "cpuacct", "memory", "pids", "devices"])
        }
    }

    /// State of sandboxes and containers, e.g. `/var/lib/swiftlet/runtime`.
    public var stateDirectory: String
    /// The `swiftlet-monitor` executable.
    public var monitorPath: String
    public var cgroupMode: CgroupMode
    /// Parent of pod cgroups whose sandbox config names none, relative to the hierarchy root.
    public var cgroupParent: String
    /// Capabilities of a container without add/drop.
    public var defaultCapabilities: CapabilitySet
    /// Rotate a container log at this size (0: never) and keep this many files in all.
    public var logMaxSizeBytes: UInt64
    public var logMaxFiles: Int
    public var network: any SandboxNetwork
    public var rootfs: any RootfsProvider
    public var images: any ImageService

    public init(
        stateDirectory: String, monitorPath: String, cgroupMode: CgroupMode = .detect(), cgroupParent: String = "kubepods",
        defaultCapabilities: CapabilitySet = .containerdDefault, logMaxSizeBytes: UInt64 = 10 * 1024 * 1024,
        logMaxFiles: Int = 5, network: any SandboxNetwork = LoopbackOnlyNetwork(), rootfs: any RootfsProvider,
        images: any ImageService
    ) {
        self.stateDirectory = stateDirectory
        self.monitorPath = monitorPath
        self.cgroupMode = cgroupMode
        self.cgroupParent = cgroupParent
        self.defaultCapabilities = defaultCapabilities
        self.logMaxSizeBytes = logMaxSizeBytes
        self.logMaxFiles = logMaxFiles
        self.network = network
        self.rootfs = rootfs
        self.images = images
    }

    var cgroups: any CgroupDriver {
        switch cgroupMode {
        case .v1(let root, let controllers): CgroupV1(root: root, controllers: controllers)
        case .v2(let root): CgroupV2(root: root)
        }
    }
}
