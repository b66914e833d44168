import KubeAPI

/// The kubelet part of the node configuration: `KubeletConfiguration` of
/// `kubelet.config.k8s.io/v1beta1`, with upstream's field names and upstream's defaults
/// (`pkg/kubelet/apis/config/v1beta1/defaults.go` and `defaults_linux.go`) for every field
/// swiftlet supports. A field swiftlet does not support is an error, not silently ignored.
///
/// A value made with `KubeletConfiguration()` holds the defaults.
public struct KubeletConfiguration: Sendable, Hashable {
    /// `kubelet.config.k8s.io/v1beta1`.
    public static let apiVersion = "kubelet.config.k8s.io/v1beta1"
    /// `KubeletConfiguration`.
    public static let kind = "KubeletConfiguration"

    // MARK: Servers

    /// Whether the kubelet's HTTPS server runs.
    public var enableServer = true
    /// The IP address the kubelet's HTTPS server listens on.
    public var address = "0.0.0.0"
    /// The kubelet's HTTPS port.
    public var port: Int32 = 10250
    /// The read-only HTTP port (0: disabled).
    public var readOnlyPort: Int32 = 0
    /// The IP address of the health server.
    public var healthzBindAddress = "127.0.0.1"
    /// The port of the health server. swiftlet: 0 asks the kernel for a free port, which is
    /// logged (upstream disables the server instead).
    public var healthzPort: Int32 = 10248
    /// The serving certificate; empty means a self-signed one (or TLS bootstrap).
    public var tlsCertFile = ""
    /// The serving certificate's key.
    public var tlsPrivateKeyFile = ""
    /// Allowed TLS cipher suites (empty: the library's defaults).
    public var tlsCipherSuites: [String] = []
    /// Minimum TLS version (`VersionTLS12`, `VersionTLS13`; empty: the library's default).
    public var tlsMinVersion = ""
    /// Whether client certificates are rotated through the certificates API.
    public var rotateCertificates = false
    /// Whether the serving certificate is requested from the certificates API.
    public var serverTLSBootstrap = false
    /// How requests to the kubelet's server are authenticated.
    public var authentication = Authentication()
    /// How requests to the kubelet's server are authorized.
    public var authorization = Authorization()
    /// Whether the log and exec/attach/port-forward handlers are enabled.
    public var enableDebuggingHandlers = true
    /// Idle timeout of streaming connections (exec, attach, port-forward).
    public var streamingConnectionIdleTimeout = GoDuration.hours(4)

    // MARK: Pod sources

    /// The directory (or file) of static pod manifests; empty: none.
    public var staticPodPath = ""
    /// How often the static pod path is checked for changes.
    public var fileCheckFrequency = GoDuration.seconds(20)
    /// A URL to read static pod manifests from; empty: none.
    public var staticPodURL = ""
    /// Headers sent with requests to ``staticPodURL``.
    public var staticPodURLHeader: [String: [String]] = [:]
    /// How often ``staticPodURL`` is read.
    public var httpCheckFrequency = GoDuration.seconds(20)
    /// How often running pods are synced with their spec at the latest.
    public var syncFrequency = GoDuration.minutes(1)

    // MARK: Node and API server

    /// Whether the node registers itself with the API server.
    public var registerNode = true
    /// Taints the node registers with.
    public var registerWithTaints: [Taint] = []
    /// Labels the node registers with.
    public var nodeLabels: [String: String] = [:]
    /// The cloud provider's ID for the node.
    public var providerID = ""
    /// How often the node status is computed.
    public var nodeStatusUpdateFrequency = GoDuration.seconds(10)
    /// How often the node status is written when it did not change.
    public var nodeStatusReportFrequency = GoDuration.minutes(5)
    /// The node Lease's duration.
    public var nodeLeaseDurationSeconds: Int32 = 40
    /// At most this many images are reported in the node status (-1: no limit).
    public var nodeStatusMaxImages: Int32 = 50
    /// Queries per second to the API server.
    public var kubeAPIQPS: Int32 = 50
    /// Burst of queries to the API server.
    public var kubeAPIBurst: Int32 = 100
    /// Events per second sent (0: no limit).
    public var eventRecordQPS: Int32 = 50
    /// Burst of events.
    public var eventBurst: Int32 = 100

    // MARK: Pods and runtime

    /// Pods per node at most.
    public var maxPods: Int32 = 110
    /// The pod CIDR when not given by the API server (standalone mode).
    public var podCIDR = ""
    /// Processes per pod at most (-1: no limit of its own).
    public var podPidsLimit: Int64 = -1
    /// The DNS domain of the cluster, e.g. `cluster.local`.
    public var clusterDomain = ""
    /// DNS server IPs for pods with `dnsPolicy: ClusterFirst`.
    public var clusterDNS: [String] = []
    /// The resolver configuration copied into pods (empty: no host DNS for pods).
    public var resolvConf = "/etc/resolv.conf"
    /// The timeout of every runtime call but long-running ones (pull, logs, exec).
    public var runtimeRequestTimeout = GoDuration.minutes(2)
    /// Whether images are pulled one at a time.
    public var serializeImagePulls = true
    /// Parallel image pulls at most when not serialized (nil: no limit).
    public var maxParallelImagePulls: Int32?
    /// Image pulls per second (0: no limit).
    public var registryPullQPS: Int32 = 5
    /// Burst of image pulls.
    public var registryBurst: Int32 = 10
    /// Whether the runtime's default seccomp profile applies to pods without one.
    public var seccompDefault = false
    /// Where container logs are written.
    public var podLogsDir = "/var/log/pods"
    /// A container log file is rotated at this size (a quantity such as `10Mi`).
    public var containerLogMaxSize = "10Mi"
    /// Log files kept per container (at least 2).
    public var containerLogMaxFiles: Int32 = 5
    /// Workers rotating container logs.
    public var containerLogMaxWorkers: Int32 = 1
    /// How often container logs are checked for rotation.
    public var containerLogMonitorInterval = GoDuration.seconds(10)
    /// The process's open files limit.
    public var maxOpenFiles: Int64 = 1_000_000
    /// The kubelet's OOM score adjustment.
    public var oomScoreAdj: Int32 = -999

    // MARK: Images

    /// An unused image is not collected before this age.
    public var imageMinimumGCAge = GoDuration.minutes(2)
    /// An unused image is collected after this age (0s: never by age).
    public var imageMaximumGCAge = GoDuration.zero
    /// Image disk usage that starts image garbage collection, in percent.
    public var imageGCHighThresholdPercent: Int32 = 85
    /// Image disk usage image garbage collection frees down to, in percent.
    public var imageGCLowThresholdPercent: Int32 = 80

    // MARK: Cgroups and resources

    /// Whether pods are put in QoS-class cgroups (`kubepods/burstable`, ...).
    public var cgroupsPerQOS = true
    /// `cgroupfs` or `systemd`.
    public var cgroupDriver = "cgroupfs"
    /// The root cgroup for pods (empty: the runtime's default).
    public var cgroupRoot = ""
    /// Whether CPU limits are enforced with CFS quota.
    public var cpuCFSQuota = true
    /// The CFS quota period.
    public var cpuCFSQuotaPeriod = GoDuration.milliseconds(100)
    /// Resources reserved for the system (`cpu`, `memory`, `ephemeral-storage`, `pid`).
    public var systemReserved: [String: String] = [:]
    /// Resources reserved for Kubernetes components.
    public var kubeReserved: [String: String] = [:]
    /// The cgroup of system daemons, for enforcing ``systemReserved``.
    public var systemReservedCgroup = ""
    /// The cgroup of Kubernetes daemons, for enforcing ``kubeReserved``.
    public var kubeReservedCgroup = ""
    /// What node allocatable is enforced on: `pods`, `system-reserved`, `kube-reserved`, or `none`.
    public var enforceNodeAllocatable = ["pods"]
    /// Whether the kubelet refuses to start with swap on.
    public var failSwapOn = true
    /// How pods may use swap.
    public var memorySwap = MemorySwap()
    /// Whether local ephemeral storage is accounted and limited.
    public var localStorageCapacityIsolation = true

    // MARK: Eviction

    /// Hard eviction thresholds (signal → quantity or percentage).
    public var evictionHard: [String: String] = [
        "memory.available": "100Mi",
        "nodefs.available": "10%",
        "nodefs.inodesFree": "5%",
        "imagefs.available": "15%",
        "imagefs.inodesFree": "5%",
    ]
    /// Soft eviction thresholds.
    public var evictionSoft: [String: String] = [:]
    /// How long each soft threshold must hold before eviction (signal → duration).
    public var evictionSoftGracePeriod: [String: String] = [:]
    /// How long a pressure condition stays after the pressure ends.
    public var evictionPressureTransitionPeriod = GoDuration.minutes(5)
    /// The most grace a pod gets when evicted for a soft threshold, in seconds.
    public var evictionMaxPodGracePeriod: Int32 = 0
    /// The least that an eviction reclaims (signal → quantity or percentage).
    public var evictionMinimumReclaim: [String: String] = [:]

    // MARK: Shutdown

    /// How long node shutdown is delayed for pods to stop (0s: no graceful node shutdown).
    public var shutdownGracePeriod = GoDuration.zero
    /// The part of ``shutdownGracePeriod`` kept for critical pods.
    public var shutdownGracePeriodCriticalPods = GoDuration.zero

    // MARK: Misc

    /// Feature gates by name.
    public var featureGates: [String: Bool] = [:]
    /// The log format and verbosity.
    public var logging = LoggingConfiguration()

    /// The defaults.
    public init() {}
}

extension KubeletConfiguration {
    /// `authentication`: how the kubelet's server authenticates requests.
    public struct Authentication: Sendable, Hashable {
        /// `x509.clientCAFile`: CA bundle for client certificates (empty: none).
        public var x509ClientCAFile = ""
        /// `webhook.enabled`: whether bearer tokens are checked with TokenReviews.
        public var webhookEnabled = true
        /// `webhook.cacheTTL`.
        public var webhookCacheTTL = GoDuration.minutes(2)
        /// `anonymous.enabled`: whether unauthenticated requests are let through as anonymous.
        public var anonymousEnabled = false

        public init() {}
    }

    /// `authorization`: how the kubelet's server authorizes requests.
    public struct Authorization: Sendable, Hashable {
        /// `mode`: `AlwaysAllow` or `Webhook`.
        public var mode = "Webhook"
        /// `webhook.cacheAuthorizedTTL`.
        public var webhookCacheAuthorizedTTL = GoDuration.minutes(5)
        /// `webhook.cacheUnauthorizedTTL`.
        public var webhookCacheUnauthorizedTTL = GoDuration.seconds(30)

        public init() {}
    }

    /// `memorySwap`.
    public struct MemorySwap: Sendable, Hashable {
        /// `swapBehavior`: empty or `NoSwap` (pods use no swap) or `LimitedSwap`.
        public var swapBehavior = ""

        public init() {}
    }

    /// A `core/v1` Taint as `registerWithTaints` lists it.
    public struct Taint: Sendable, Hashable {
        /// The taint key.
        public var key: String
        /// The taint value.
        public var value: String
        /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
        public var effect: String

        /// Creates a taint.
        public init(key: String, value: String = "", effect: String) {
            self.key = key
            self.value = value
            self.effect = effect
        }
    }
}

/// `logging` (component-base's `LoggingConfiguration`) as the kubelet and kube-proxy read it.
public struct LoggingConfiguration: Sendable, Hashable {
    /// `text` or `json`.
    public var format = "text"
    /// How often buffered log lines are flushed.
    public var flushFrequency = GoDuration.seconds(5)
    /// The verbosity (klog's `-v`): 0 is info, higher adds debug detail.
    public var verbosity: Int32 = 0

    /// The defaults.
    public init() {}
}
