/// What the kubelet asks for when it creates a container (CRI `ContainerConfig`).
public struct ContainerConfig: Sendable, Equatable, Codable {
    public var metadata: ContainerMetadata
    public var image: ImageSpec
    /// Replaces the image's Entrypoint when non-empty (Kubernetes `command`).
    public var command: [String]
    /// Replaces the image's Cmd when non-empty (Kubernetes `args`).
    public var args: [String]
    /// Empty: the image's WorkingDir, else `/`.
    public var workingDir: String
    /// Added to, and overriding by name, the image's Env.
    public var envs: [KeyValue]
    public var mounts: [Mount]
    public var devices: [Device]
    public var labels: [String: String]
    public var annotations: [String: String]
    /// Log file path relative to the sandbox's `logDirectory`, e.g. `app/0.log`.
    public var logPath: String
    public var stdin: Bool
    public var stdinOnce: Bool
    public var tty: Bool
    public var linux: LinuxContainerConfig
    /// Signal to stop the container with, overriding the image's StopSignal (e.g. `SIGQUIT`).
    public var stopSignal: String

    public init(
        metadata: ContainerMetadata, image: ImageSpec, command: [String] = [], args: [String] = [],
        workingDir: String = "", envs: [KeyValue] = [], mounts: [Mount] = [], devices: [Device] = [],
        labels: [String: String] = [:], annotations: [String: String] = [:], logPath: String = "",
        stdin: Bool = false, stdinOnce: Bool = false, tty: Bool = false,
        linux: LinuxContainerConfig = LinuxContainerConfig(), stopSignal: String = ""
    ) {
        self.metadata = metadata
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.envs = envs
        self.mounts = mounts
        self.devices = devices
        self.labels = labels
        self.annotations = annotations
        self.logPath = logPath
        self.stdin = stdin
        self.stdinOnce = stdinOnce
        self.tty = tty
        self.linux = linux
        self.stopSignal = stopSignal
    }
}

/// A container's name within its pod and its restart count (CRI `ContainerMetadata`).
public struct ContainerMetadata: Sendable, Equatable, Hashable, Codable {
    public var name: String
    public var attempt: UInt32

    public init(name: String, attempt: UInt32 = 0) {
        self.name = name
        self.attempt = attempt
    }
}

/// An environment variable (CRI `KeyValue`).
public struct KeyValue: Sendable, Equatable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A bind or tmpfs mount given by the caller (CRI `Mount`, plus tmpfs for emptyDir medium Memory).
public struct Mount: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable { case bind, tmpfs }
    /// CRI `MountPropagation`.
    public enum Propagation: String, Sendable, Equatable, Codable { case `private`, hostToContainer, bidirectional }

    public var kind: Kind
    public var containerPath: String
    /// The host path for a bind mount; ignored for tmpfs.
    public var hostPath: String
    public var readonly: Bool
    public var propagation: Propagation
    /// tmpfs size in bytes (0: the kernel's default, half of RAM).
    public var sizeBytes: Int64

    public init(
        kind: Kind = .bind, containerPath: String, hostPath: String = "", readonly: Bool = false,
        propagation: Propagation = .private, sizeBytes: Int64 = 0
    ) {
        self.kind = kind
        self.containerPath = containerPath
        self.hostPath = hostPath
        self.readonly = readonly
        self.propagation = propagation
        self.sizeBytes = sizeBytes
    }
}

/// A host device made available in the container (CRI `Device`).
public struct Device: Sendable, Equatable, Codable {
    public var containerPath: String
    public var hostPath: String
    /// `r`, `w`, `m` or a combination.
    public var permissions: String

    public init(containerPath: String, hostPath: String, permissions: String = "rwm") {
        self.containerPath = containerPath
        self.hostPath = hostPath
        self.permissions = permissions
    }
}

/// Linux parts of a container (CRI `LinuxContainerConfig`).
public struct LinuxContainerConfig: Sendable, Equatable, Codable {
    public var resources: LinuxContainerResources
    public var securityContext: LinuxContainerSecurityContext

    public init(
        resources: LinuxContainerResources = LinuxContainerResources(),
        securityContext: LinuxContainerSecurityContext = LinuxContainerSecurityContext()
    ) {
        self.resources = resources
        self.securityContext = securityContext
    }
}

/// Cgroup limits of a container (CRI `LinuxContainerResources`). Zero means "not set".
public struct LinuxContainerResources: Sendable, Equatable, Codable {
    public var cpuPeriod: Int64
    public var cpuQuota: Int64
    /// cgroup v1 `cpu.shares` (2…262144); converted to `cpu.weight` on cgroup v2.
    public var cpuShares: Int64
    public var memoryLimitInBytes: Int64
    /// `oom_score_adj` of the container's processes.
    public var oomScoreAdj: Int64
    public var cpusetCpus: String
    public var cpusetMems: String
    /// Maximum number of processes (`pids.max`); 0: unlimited.
    public var pidsLimit: Int64
    /// Extra cgroup v2 files to write, e.g. `memory.high`.
    public var unified: [String: String]

    public init(
        cpuPeriod: Int64 = 0, cpuQuota: Int64 = 0, cpuShares: Int64 = 0, memoryLimitInBytes: Int64 = 0,
        oomScoreAdj: Int64 = 0, cpusetCpus: String = "", cpusetMems: String = "", pidsLimit: Int64 = 0,
        unified: [String: String] = [:]
    ) {
        self.cpuPeriod = cpuPeriod
        self.cpuQuota = cpuQuota
        self.cpuShares = cpuShares
        self.memoryLimitInBytes = memoryLimitInBytes
        self.oomScoreAdj = oomScoreAdj
        self.cpusetCpus = cpusetCpus
        self.cpusetMems = cpusetMems
        self.pidsLimit = pidsLimit
        self.unified = unified
    }
}

/// A container's security settings (CRI `LinuxContainerSecurityContext`).
public struct LinuxContainerSecurityContext: Sendable, Equatable, Codable {
    /// Capability names without the `CAP_` prefix, as Kubernetes writes them (`NET_ADMIN`), or `ALL`.
    public var addCapabilities: [String]
    public var dropCapabilities: [String]
    public var privileged: Bool
    public var namespaceOptions: NamespaceOption
    public var runAsUser: Int64?
    /// A user name to look up in the image's `/etc/passwd` when `runAsUser` is not set.
    public var runAsUsername: String
    public var runAsGroup: Int64?
    public var supplementalGroups: [Int64]
    public var readonlyRootfs: Bool
    public var noNewPrivs: Bool
    public var seccomp: SecurityProfile?
    /// Paths to hide (bind-mounted over with `/dev/null` or an empty read-only tmpfs); `nil`: the defaults.
    public var maskedPaths: [String]?
    /// Paths to remount read-only; `nil`: the defaults.
    public var readonlyPaths: [String]?

    public init(
        addCapabilities: [String] = [], dropCapabilities: [String] = [], privileged: Bool = false,
        namespaceOptions: NamespaceOption = NamespaceOption(), runAsUser: Int64? = nil, runAsUsername: String = "",
        runAsGroup: Int64? = nil, supplementalGroups: [Int64] = [], readonlyRootfs: Bool = false,
        noNewPrivs: Bool = false, seccomp: SecurityProfile? = nil, maskedPaths: [String]? = nil,
        readonlyPaths: [String]? = nil
    ) {
        self.addCapabilities = addCapabilities
        self.dropCapabilities = dropCapabilities
        self.privileged = privileged
        self.namespaceOptions = namespaceOptions
        self.runAsUser = runAsUser
        self.runAsUsername = runAsUsername
        self.runAsGroup = runAsGroup
        self.supplementalGroups = supplementalGroups
        self.readonlyRootfs = readonlyRootfs
        self.noNewPrivs = noNewPrivs
        self.seccomp = seccomp
        self.maskedPaths = maskedPaths
        self.readonlyPaths = readonlyPaths
    }
}
