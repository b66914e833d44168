/// Usage figures of one container (CRI `ContainerStats`). Absent figures are `nil`.
public struct ContainerStats: Sendable, Equatable {
    public var id: String
    public var metadata: ContainerMetadata
    public var labels: [String: String]
    public var annotations: [String: String]
    /// Nanoseconds since the Unix epoch when the figures were read.
    public var timestamp: Int64
    /// Cumulative CPU time in nanoseconds.
    public var cpuUsageCoreNanoSeconds: UInt64?
    /// Memory in use minus inactive file pages (the kubelet's working set).
    public var memoryWorkingSetBytes: UInt64?
    public var memoryUsageBytes: UInt64?
    public var memoryRSSBytes: UInt64?
    public var pids: UInt64?
    /// Bytes used by the container's writable layer.
    public var writableLayerUsedBytes: UInt64?

    public init(
        id: String, metadata: ContainerMetadata, labels: [String: String] = [:], annotations: [String: String] = [:],
        timestamp: Int64, cpuUsageCoreNanoSeconds: UInt64? = nil, memoryWorkingSetBytes: UInt64? = nil,
        memoryUsageBytes: UInt64? = nil, memoryRSSBytes: UInt64? = nil, pids: UInt64? = nil,
        writableLayerUsedBytes: UInt64? = nil
    ) {
        self.id = id
        self.metadata = metadata
        self.labels = labels
        self.annotations = annotations
        self.timestamp = timestamp
        self.cpuUsageCoreNanoSeconds = cpuUsageCoreNanoSeconds
        self.memoryWorkingSetBytes = memoryWorkingSetBytes
        self.memoryUsageBytes = memoryUsageBytes
        self.memoryRSSBytes = memoryRSSBytes
        self.pids = pids
        self.writableLayerUsedBytes = writableLayerUsedBytes
    }
}

/// Selects containers for stats (CRI `ContainerStatsFilter`).
public struct ContainerStatsFilter: Sendable, Equatable {
    public var id: String?
    public var podSandboxID: String?
    public var labelSelector: [String: String]

    public init(id: String? = nil, podSandboxID: String? = nil, labelSelector: [String: String] = [:]) {
        self.id = id
        self.podSandboxID = podSandboxID
        self.labelSelector = labelSelector
    }

    /// The equivalent container filter (running and exited containers alike).
    public var containerFilter: ContainerFilter {
        ContainerFilter(id: id, podSandboxID: podSandboxID, labelSelector: labelSelector)
    }
}
