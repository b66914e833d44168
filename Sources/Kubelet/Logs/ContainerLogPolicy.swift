/// How the container log manager rotates logs: the kubelet's `containerLogMaxSize`,
/// `containerLogMaxFiles`, `containerLogMaxWorkers` and `containerLogMonitorInterval`.
public struct ContainerLogPolicy: Sendable, Equatable {
    /// A log at least this many bytes long is rotated (`containerLogMaxSize`, default 10Mi).
    public var maxSize: Int64
    /// Files kept per container, the current log included (`containerLogMaxFiles`, at least 2).
    public var maxFiles: Int
    /// Containers whose logs are rotated at the same time (`containerLogMaxWorkers`).
    public var maxWorkers: Int
    /// How often the sizes are checked (`containerLogMonitorInterval`, default 10s).
    public var monitorInterval: Duration

    /// A policy; `maxFiles` below 2 is taken as 2 and `maxWorkers` below 1 as 1, as validation requires.
    public init(
        maxSize: Int64 = 10 * 1024 * 1024, maxFiles: Int = 5, maxWorkers: Int = 1, monitorInterval: Duration = .seconds(10)
    ) {
        self.maxSize = maxSize
        self.maxFiles = max(2, maxFiles)
        self.maxWorkers = max(1, maxWorkers)
        self.monitorInterval = monitorInterval
    }
}
