import KubeAPI
import Logging

/// What swiftlet needs that has no upstream field: the runtime backend, the image store, the
/// pod network, directories, the log level and the local API socket.
/// `apiVersion: swiftlet.dev/v1alpha1`, `kind: SwiftletConfiguration`.
///
/// A value made with `SwiftletConfiguration()` holds the defaults.
public struct SwiftletConfiguration: Sendable, Hashable {
    /// `swiftlet.dev/v1alpha1`.
    public static let apiVersion = "swiftlet.dev/v1alpha1"
    /// `SwiftletConfiguration`.
    public static let kind = "SwiftletConfiguration"

    /// The agent's log level.
    public var logLevel = LogLevel.info
    /// Persistent state (pods, sandboxes, images unless ``Images/storeDir`` says otherwise).
    public var stateDir = "/var/lib/swiftlet"
    /// Runtime state that does not survive a reboot (sockets, pid files).
    public var runDir = "/run/swiftlet"
    /// The Unix socket of the local API (`swiftlet pods`, `logs`, `exec`).
    public var apiSocket = "/run/swiftlet/swiftlet.sock"
    /// Which container runtime runs pods.
    public var runtime = Runtime()
    /// The image store and registries.
    public var images = Images()
    /// How pods get their network.
    public var podNetwork = PodNetwork()
    /// How the node reaches the API server; empty paths mean standalone (no control plane).
    public var controlPlane = ControlPlane()

    /// The defaults.
    public init() {}
}

extension SwiftletConfiguration {
    /// `logLevel`: the swift-log levels by name.
    public enum LogLevel: String, Sendable, Hashable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        /// The swift-log level.
        public var loggerLevel: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
    }

    /// `runtime`.
    public struct Runtime: Sendable, Hashable {
        /// `backend`: `native` (swiftlet's own), `oci` (runc, crun or runsc) or `remote` (a CRI
        /// runtime such as containerd or CRI-O).
        public var backend = "native"
        /// `ociRuntimePath`: the OCI runtime binary for the `oci` backend (a name is looked up
        /// in `PATH`).
        public var ociRuntimePath = "runc"
        /// `remoteEndpoint`: the CRI endpoint for the `remote` backend.
        public var remoteEndpoint = "unix:///run/containerd/containerd.sock"

        public init() {}

        /// The values `backend` may take.
        public static let backends = ["native", "oci", "remote"]
    }

    /// `images`.
    public struct Images: Sendable, Hashable {
        /// `storeDir`: the content store and unpacked layers.
        public var storeDir = "/var/lib/swiftlet/images"
        /// `registryMirrors`: registry host → mirror URLs tried in order before it.
        public var registryMirrors: [String: [String]] = [:]
        /// `insecureRegistries`: registry hosts reached over plain HTTP or unverified TLS.
        public var insecureRegistries: [String] = []

        public init() {}
    }

    /// `podNetwork`.
    public struct PodNetwork: Sendable, Hashable {
        /// `mode`: `builtin` (bridge, veth and IPAM of swiftlet's own) or `cni` (external CNI
        /// plugins).
        public var mode = "builtin"
        /// `bridgeName`: the bridge of the builtin mode.
        public var bridgeName = "swiftlet0"
        /// `podCIDRs`: pod address ranges of the builtin mode, at most one per family.
        public var podCIDRs = ["10.88.0.0/16"]
        /// `mtu`: the pod interfaces' MTU.
        public var mtu: Int32 = 1500
        /// `cniConfDir`: where CNI network configurations are read from in `cni` mode.
        public var cniConfDir = "/etc/cni/net.d"
        /// `cniBinDirs`: where CNI plugins are looked up in `cni` mode.
        public var cniBinDirs = ["/usr/lib/cni", "/opt/cni/bin"]
        /// `nodeNetworkNamespace`: the network namespace (a path such as `/run/netns/demo`) that
        /// plays the node for the pod network: the bridge, the firewall table and the CNI plugins
        /// live there instead of in the agent's own namespace. Empty (the default) on a real
        /// node; for tests and demos that must not touch the machine's network.
        public var nodeNetworkNamespace = ""

        public init() {}

        /// The values `mode` may take.
        public static let modes = ["builtin", "cni"]
    }

    /// `controlPlane`: what the kubelet takes as flags (`--kubeconfig`, `--bootstrap-kubeconfig`,
    /// `--cert-dir`, `--node-labels`), kept in the configuration file here.
    public struct ControlPlane: Sendable, Hashable {
        /// `kubeconfig`: the node's credentials for the API server, as `swiftlet join` writes them.
        /// Empty: the agent runs standalone.
        public var kubeconfig = ""
        /// `bootstrapKubeconfig`: credentials used only to request the node's client certificate
        /// when `kubeconfig` does not exist yet (TLS bootstrap).
        public var bootstrapKubeconfig = ""
        /// `certDir`: where the node's client certificates and keys are kept and rotated.
        public var certDir = "/var/lib/swiftlet/pki"
        /// `nodeLabels`: labels the node registers with, besides the well-known ones.
        public var nodeLabels: [String: String] = [:]

        public init() {}

        /// Whether the agent joins an API server.
        public var isEnabled: Bool { !kubeconfig.isEmpty }
    }
}
