/// What the kubelet asks for when it creates a pod sandbox (CRI `PodSandboxConfig`).
public struct PodSandboxConfig: Sendable, Equatable, Codable {
    public var metadata: PodSandboxMetadata
    /// The sandbox's hostname (the pod's `hostname`, or its name).
    public var hostname: String
    /// Directory under which container logs are kept, e.g. `/var/log/pods/<ns>_<name>_<uid>`.
    public var logDirectory: String
    public var dnsConfig: DNSConfig?
    public var portMappings: [PortMapping]
    public var labels: [String: String]
    public var annotations: [String: String]
    public var linux: LinuxPodSandboxConfig

    public init(
        metadata: PodSandboxMetadata, hostname: String = "", logDirectory: String = "",
        dnsConfig: DNSConfig? = nil, portMappings: [PortMapping] = [], labels: [String: String] = [:],
        annotations: [String: String] = [:], linux: LinuxPodSandboxConfig = LinuxPodSandboxConfig()
    ) {
        self.metadata = metadata
        self.hostname = hostname
        self.logDirectory = logDirectory
        self.dnsConfig = dnsConfig
        self.portMappings = portMappings
        self.labels = labels
        self.annotations = annotations
        self.linux = linux
    }
}

/// The pod a sandbox belongs to (CRI `PodSandboxMetadata`).
public struct PodSandboxMetadata: Sendable, Equatable, Hashable, Codable {
    public var name: String
    public var uid: String
    public var namespace: String
    /// How many sandboxes were created for this pod before this one.
    public var attempt: UInt32

    public init(name: String, uid: String, namespace: String, attempt: UInt32 = 0) {
        self.name = name
        self.uid = uid
        self.namespace = namespace
        self.attempt = attempt
    }

    /// The standard pod log directory, `/var/log/pods/<namespace>_<name>_<uid>`, under `root`.
    public func logDirectory(root: String = "/var/log/pods") -> String {
        "\(root)/\(namespace)_\(name)_\(uid)"
    }
}

/// The resolver configuration written to the sandbox's `/etc/resolv.conf` (CRI `DNSConfig`).
public struct DNSConfig: Sendable, Equatable, Codable {
    public var servers: [String]
    public var searches: [String]
    public var options: [String]

    public init(servers: [String] = [], searches: [String] = [], options: [String] = []) {
        self.servers = servers
        self.searches = searches
        self.options = options
    }
}

/// A port of the sandbox published on the host (CRI `PortMapping`).
public struct PortMapping: Sendable, Equatable, Codable {
    public enum TransportProtocol: String, Sendable, Codable { case tcp, udp, sctp }
    public var transportProtocol: TransportProtocol
    public var containerPort: Int32
    public var hostPort: Int32
    public var hostIP: String

    public init(transportProtocol: TransportProtocol = .tcp, containerPort: Int32, hostPort: Int32, hostIP: String = "") {
        self.transportProtocol = transportProtocol
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.hostIP = hostIP
    }
}

/// Linux parts of a sandbox (CRI `LinuxPodSandboxConfig`).
public struct LinuxPodSandboxConfig: Sendable, Equatable, Codable {
    /// Cgroup parent of the pod, relative to each controller's root (or the v2 root), e.g.
    /// `kubepods/burstable/pod<uid>`. Empty: the runtime's configured default parent.
    public var cgroupParent: String
    public var securityContext: LinuxSandboxSecurityContext
    /// Namespaced sysctls to set in the sandbox.
    public var sysctls: [String: String]
    /// The pod's total resources, for the pod cgroup (CRI `LinuxPodSandboxConfig.resources`).
    public var overhead: LinuxContainerResources?
    public var resources: LinuxContainerResources?

    public init(
        cgroupParent: String = "", securityContext: LinuxSandboxSecurityContext = LinuxSandboxSecurityContext(),
        sysctls: [String: String] = [:], overhead: LinuxContainerResources? = nil, resources: LinuxContainerResources? = nil
    ) {
        self.cgroupParent = cgroupParent
        self.securityContext = securityContext
        self.sysctls = sysctls
        self.overhead = overhead
        self.resources = resources
    }
}

/// Security of the sandbox as a whole (CRI `LinuxSandboxSecurityContext`).
public struct LinuxSandboxSecurityContext: Sendable, Equatable, Codable {
    public var namespaceOptions: NamespaceOption
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var supplementalGroups: [Int64]
    public var readonlyRootfs: Bool
    public var privileged: Bool
    public var seccomp: SecurityProfile?

    public init(
        namespaceOptions: NamespaceOption = NamespaceOption(), runAsUser: Int64? = nil, runAsGroup: Int64? = nil,
        supplementalGroups: [Int64] = [], readonlyRootfs: Bool = false, privileged: Bool = false,
        seccomp: SecurityProfile? = nil
    ) {
        self.namespaceOptions = namespaceOptions
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.supplementalGroups = supplementalGroups
        self.readonlyRootfs = readonlyRootfs
        self.privileged = privileged
        self.seccomp = seccomp
    }
}

/// Which namespaces are the pod's, the container's own, or the host's (CRI `NamespaceOption`).
public struct NamespaceOption: Sendable, Equatable, Codable {
    /// CRI `NamespaceMode`: `POD`, `CONTAINER`, `NODE` (host), `TARGET` (another container's).
    public enum Mode: String, Sendable, Equatable, Codable { case pod, container, node, target }

    public var network: Mode
    public var pid: Mode
    public var ipc: Mode
    /// For `pid == .target`: the container whose PID namespace to join.
    public var targetID: String

    public init(network: Mode = .pod, pid: Mode = .container, ipc: Mode = .pod, targetID: String = "") {
        self.network = network
        self.pid = pid
        self.ipc = ipc
        self.targetID = targetID
    }
}

/// A seccomp (or AppArmor) profile choice (CRI `SecurityProfile`).
public enum SecurityProfile: Sendable, Equatable, Codable {
    /// The runtime's default profile (containerd's default seccomp profile).
    case runtimeDefault
    /// No filter at all.
    case unconfined
    /// A profile file on the node, in the OCI seccomp JSON format; the path is absolute.
    case localhost(String)
}
