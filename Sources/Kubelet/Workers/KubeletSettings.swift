/// The kubelet core's settings, taken from the agent's `KubeletConfiguration`.
public struct KubeletSettings: Sendable {
    /// The node's name (static pod names end in it).
    public var nodeName: String
    /// The node's addresses, for `status.hostIP(s)`.
    public var hostIPs: [String]
    /// How often every pod is synced even without events (upstream's `syncFrequency`, 1 min).
    public var syncFrequency: Duration
    /// How often the runtime is relisted as a fallback to its event stream.
    public var relistPeriod: Duration
    /// Where logs and per-pod state live, and the runtime handler.
    public var runtime: RuntimeManager.Settings
    /// What decides whether a new pod fits the node (allocatable, `maxPods`, host ports, node
    /// name and selector); nil admits every pod.
    public var admission: Admission?

    public init(
        nodeName: String, hostIPs: [String] = [], syncFrequency: Duration = .seconds(60), relistPeriod: Duration = .seconds(10),
        runtime: RuntimeManager.Settings = RuntimeManager.Settings(), admission: Admission? = nil
    ) {
        self.admission = admission
        self.nodeName = nodeName
        self.hostIPs = hostIPs
        self.syncFrequency = syncFrequency
        self.relistPeriod = relistPeriod
        self.runtime = runtime
    }
}
