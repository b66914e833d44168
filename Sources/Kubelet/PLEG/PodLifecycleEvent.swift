/// A change of one of a pod's containers (upstream's `PodLifecycleEvent`).
public struct PodLifecycleEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case containerStarted = "ContainerStarted"
        case containerDied = "ContainerDied"
        case containerRemoved = "ContainerRemoved"
        case containerChanged = "ContainerChanged"
    }

    /// The pod's UID.
    public var podUID: String
    public var kind: Kind
    public var containerID: String

    public init(podUID: String, kind: Kind, containerID: String) {
        self.podUID = podUID
        self.kind = kind
        self.containerID = containerID
    }
}
