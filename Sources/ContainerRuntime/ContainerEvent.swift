/// A container lifecycle event (CRI `ContainerEventResponse`), so the kubelet need not poll.
public struct ContainerEvent: Sendable, Equatable {
    /// CRI `ContainerEventType`.
    public enum Kind: String, Sendable, Equatable {
        case created = "CONTAINER_CREATED_EVENT"
        case started = "CONTAINER_STARTED_EVENT"
        case stopped = "CONTAINER_STOPPED_EVENT"
        case deleted = "CONTAINER_DELETED_EVENT"
    }

    public var containerID: String
    public var kind: Kind
    /// Nanoseconds since the Unix epoch.
    public var createdAt: Int64
    public var podSandboxID: String
    /// The container's status just after the event (`nil` for `deleted`).
    public var status: ContainerStatus?

    public init(containerID: String, kind: Kind, createdAt: Int64, podSandboxID: String, status: ContainerStatus?) {
        self.containerID = containerID
        self.kind = kind
        self.createdAt = createdAt
        self.podSandboxID = podSandboxID
        self.status = status
    }
}
