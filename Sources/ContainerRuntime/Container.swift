/// A container as `listContainers` reports it (CRI `Container`).
public struct Container: Sendable, Equatable, Identifiable {
    public var id: String
    public var podSandboxID: String
    public var metadata: ContainerMetadata
    public var image: ImageSpec
    /// The resolved image (ID or digest reference).
    public var imageRef: String
    public var state: ContainerState
    public var createdAt: Int64
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(
        id: String, podSandboxID: String, metadata: ContainerMetadata, image: ImageSpec, imageRef: String,
        state: ContainerState, createdAt: Int64, labels: [String: String], annotations: [String: String]
    ) {
        self.id = id
        self.podSandboxID = podSandboxID
        self.metadata = metadata
        self.image = image
        self.imageRef = imageRef
        self.state = state
        self.createdAt = createdAt
        self.labels = labels
        self.annotations = annotations
    }
}

/// CRI `ContainerState`.
public enum ContainerState: String, Sendable, Equatable, Codable {
    case created = "CONTAINER_CREATED"
    case running = "CONTAINER_RUNNING"
    case exited = "CONTAINER_EXITED"
    case unknown = "CONTAINER_UNKNOWN"
}

/// Selects containers; `nil` fields match everything (CRI `ContainerFilter`).
public struct ContainerFilter: Sendable, Equatable {
    public var id: String?
    public var state: ContainerState?
    public var podSandboxID: String?
    public var labelSelector: [String: String]

    public init(id: String? = nil, state: ContainerState? = nil, podSandboxID: String? = nil, labelSelector: [String: String] = [:]) {
        self.id = id
        self.state = state
        self.podSandboxID = podSandboxID
        self.labelSelector = labelSelector
    }

    /// Whether the container matches.
    public func matches(_ container: Container) -> Bool {
        if let id, container.id != id { return false }
        if let state, container.state != state { return false }
        if let podSandboxID, container.podSandboxID != podSandboxID { return false }
        return labelSelector.allSatisfy { container.labels[$0.key] == $0.value }
    }
}

/// CRI `ContainerStatus`.
public struct ContainerStatus: Sendable, Equatable {
    /// CRI's reasons for an exited container.
    public static let reasonCompleted = "Completed"
    public static let reasonError = "Error"
    public static let reasonOOMKilled = "OOMKilled"

    public var id: String
    public var metadata: ContainerMetadata
    public var state: ContainerState
    /// Nanoseconds since the Unix epoch; 0 when not (yet) reached.
    public var createdAt: Int64
    public var startedAt: Int64
    public var finishedAt: Int64
    /// The exit code, or 128 + signal for a process killed by a signal.
    public var exitCode: Int32
    public var image: ImageSpec
    public var imageRef: String
    /// `Completed`, `Error`, `OOMKilled` or a runtime-specific reason.
    public var reason: String
    public var message: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var mounts: [Mount]
    /// Absolute path of the container's log file.
    public var logPath: String
    /// Host PID of the container's main process while it runs (0 otherwise).
    public var pid: Int32

    public init(
        id: String, metadata: ContainerMetadata, state: ContainerState, createdAt: Int64, startedAt: Int64 = 0,
        finishedAt: Int64 = 0, exitCode: Int32 = 0, image: ImageSpec, imageRef: String, reason: String = "",
        message: String = "", labels: [String: String] = [:], annotations: [String: String] = [:],
        mounts: [Mount] = [], logPath: String = "", pid: Int32 = 0
    ) {
        self.id = id
        self.metadata = metadata
        self.state = state
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.image = image
        self.imageRef = imageRef
        self.reason = reason
        self.message = message
        self.labels = labels
        self.annotations = annotations
        self.mounts = mounts
        self.logPath = logPath
        self.pid = pid
    }
}
