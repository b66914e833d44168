import KubeAPI

/// The service proxy part of the node configuration: `KubeProxyConfiguration` of
/// `kubeproxy.config.k8s.io/v1alpha1`, with upstream's field names and defaults
/// (`pkg/proxy/apis/config/v1alpha1/defaults.go`) for the fields swiftlet supports. swiftlet
/// proxies with nftables only, so `mode` must be `nftables` (or empty, meaning the same).
///
/// A value made with `KubeProxyConfiguration()` holds the defaults.
public struct KubeProxyConfiguration: Sendable, Hashable {
    /// `kubeproxy.config.k8s.io/v1alpha1`.
    public static let apiVersion = "kubeproxy.config.k8s.io/v1alpha1"
    /// `KubeProxyConfiguration`.
    public static let kind = "KubeProxyConfiguration"

    /// The node's primary address family is taken from this IP (`0.0.0.0` or `::`).
    public var bindAddress = "0.0.0.0"
    /// `ip:port` of the proxy's health server.
    public var healthzBindAddress = "0.0.0.0:10256"
    /// `ip:port` of the proxy's metrics server.
    public var metricsBindAddress = "127.0.0.1:10249"
    /// Whether failing to bind a port is fatal.
    public var bindAddressHardFail = false
    /// The cluster's pod CIDRs, comma-separated (used by `detectLocalMode: ClusterCIDR`).
    public var clusterCIDR = ""
    /// The node name to use instead of the host name.
    public var hostnameOverride = ""
    /// How the proxy talks to the API server.
    public var clientConnection = ClientConnection()
    /// Feature gates by name.
    public var featureGates: [String: Bool] = [:]
    /// The proxy mode: `nftables` is the only one swiftlet implements.
    public var mode = "nftables"
    /// nftables mode settings.
    public var nftables = NFTables()
    /// CIDRs (or `primary`) of the node addresses that accept NodePort traffic; empty: all.
    public var nodePortAddresses: [String] = []
    /// Connection tracking settings.
    public var conntrack = Conntrack()
    /// How often the configuration from the API server is refreshed.
    public var configSyncPeriod = GoDuration.minutes(15)
    /// How traffic from local pods is recognized: `ClusterCIDR`, `NodeCIDR`, `BridgeInterface`
    /// or `InterfaceNamePrefix`.
    public var detectLocalMode = "ClusterCIDR"
    /// Settings for the interface-based ``detectLocalMode`` values.
    public var detectLocal = DetectLocal()
    /// The proxy's OOM score adjustment.
    public var oomScoreAdj: Int32 = -999
    /// Host ports the proxy may use (`first-last` or `first+count`; empty: any).
    public var portRange = ""
    /// The log format and verbosity.
    public var logging = LoggingConfiguration()

    /// The defaults.
    public init() {}
}

extension KubeProxyConfiguration {
    /// `clientConnection`.
    public struct ClientConnection: Sendable, Hashable {
        /// `kubeconfig`: path of the kubeconfig file (empty: in-cluster or the agent's own).
        public var kubeconfig = ""
        /// `qps`: queries per second to the API server.
        public var qps: Double = 5
        /// `burst`.
        public var burst: Int32 = 10

        public init() {}
    }

    /// `nftables`.
    public struct NFTables: Sendable, Hashable {
        /// `masqueradeAll`: masquerade all traffic to service IPs.
        public var masqueradeAll = false
        /// `masqueradeBit`: the fwmark bit marking packets for masquerading (0–31).
        public var masqueradeBit: Int32 = 14
        /// `minSyncPeriod`: ruleset syncs happen at most this often.
        public var minSyncPeriod = GoDuration.seconds(1)
        /// `syncPeriod`: ruleset syncs happen at least this often.
        public var syncPeriod = GoDuration.seconds(30)

        public init() {}
    }

    /// `conntrack`.
    public struct Conntrack: Sendable, Hashable {
        /// `maxPerCore`: conntrack entries per CPU (0: leave the limit alone).
        public var maxPerCore: Int32 = 32 * 1024
        /// `min`: conntrack entries at least, whatever the CPU count.
        public var min: Int32 = 128 * 1024
        /// `tcpEstablishedTimeout` (0s: leave the kernel's).
        public var tcpEstablishedTimeout = GoDuration.hours(24)
        /// `tcpCloseWaitTimeout` (0s: leave the kernel's).
        public var tcpCloseWaitTimeout = GoDuration.hours(1)
        /// `tcpBeLiberal`: accept out-of-window TCP packets.
        public var tcpBeLiberal = false
        /// `udpTimeout` (0s: leave the kernel's).
        public var udpTimeout = GoDuration.zero
        /// `udpStreamTimeout` (0s: leave the kernel's).
        public var udpStreamTimeout = GoDuration.zero

        public init() {}
    }

    /// `detectLocal`.
    public struct DetectLocal: Sendable, Hashable {
        /// `bridgeInterface`, for `detectLocalMode: BridgeInterface`.
        public var bridgeInterface = ""
        /// `interfaceNamePrefix`, for `detectLocalMode: InterfaceNamePrefix`.
        public var interfaceNamePrefix = ""

        public init() {}
    }
}
