import ContainerRuntime
import Logging

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

    /// What the runtime keeps on disk, e.g. `/var/lib/swiftlet/runtime`: the writable layers of
    /// containers whose root filesystem provider asks for scratch space. Nothing here is needed to
    /// adopt containers; what is left of containers a reboot ended is removed at start.
    public var stateDirectory: String
    /// Short-lived state of sandboxes and containers, on tmpfs (as containerd keeps its state in
    /// `/run/containerd` and its root in `/var/lib/containerd`): records, specs, monitor sockets,
    /// start and exit files, namespace and shm mount points, the pods' `/etc` files and the root
    /// filesystem mount points. It survives an agent restart, so running containers are adopted
    /// again, and vanishes with a reboot, which ends every container anyway.
    public var runDirectory: String
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
    /// Where lifecycle events go; each line carries `pod` (namespace/name) and `container`.
    public var logger: Logger

    /// `runDirectory` defaults to `defaultRunDirectory(stateDirectory:)`.
    public init(
        stateDirectory: String, runDirectory: String? = nil, monitorPath: String, cgroupMode: CgroupMode = .detect(), cgroupParent: String = "kubepods",
        defaultCapabilities: CapabilitySet = .containerdDefault, logMaxSizeBytes: UInt64 = 10 * 1024 * 1024,
        logMaxFiles: Int = 5, network: any SandboxNetwork = LoopbackOnlyNetwork(), rootfs: any RootfsProvider,
        images: any ImageService, logger: Logger = Logger(label: "swiftlet.runtime")
    ) {
        self.stateDirectory = stateDirectory
        self.runDirectory = runDirectory ?? Self.defaultRunDirectory(stateDirectory: stateDirectory)
        self.monitorPath = monitorPath
        self.cgroupMode = cgroupMode
        self.cgroupParent = cgroupParent
        self.defaultCapabilities = defaultCapabilities
        self.logMaxSizeBytes = logMaxSizeBytes
        self.logMaxFiles = logMaxFiles
        self.network = network
        self.rootfs = rootfs
        self.images = images
        self.logger = logger
    }

    /// `/run/swiftlet/runtime/<hash of stateDirectory>`: under `/run` (tmpfs), and named after the
    /// state directory so that runtimes on different state directories (a test's, a second agent's)
    /// never share one while an agent restarted on the same state directory finds its own again.
    public static func defaultRunDirectory(stateDirectory: String) -> String {
        "/run/swiftlet/runtime/" + stateDirectory.fnv1aHex
    }

    var cgroups: any CgroupDriver {
        switch cgroupMode {
        case .v1(let root, let controllers): CgroupV1(root: root, controllers: controllers)
        case .v2(let root): CgroupV2(root: root)
        }
    }
}
