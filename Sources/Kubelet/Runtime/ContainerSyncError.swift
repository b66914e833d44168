/// Why a container could not be started in a sync, with upstream's reason (it becomes the
/// container's `waiting.reason`) and message.
public struct ContainerSyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Upstream's reasons (`kubecontainer/sync_result.go`, `images/types.go`).
    public static let crashLoopBackOff = "CrashLoopBackOff"
    public static let errImagePull = "ErrImagePull"
    public static let imagePullBackOff = "ImagePullBackOff"
    public static let errImageNeverPull = "ErrImageNeverPull"
    public static let invalidImageName = "InvalidImageName"
    public static let createContainerConfigError = "CreateContainerConfigError"
    public static let createContainerError = "CreateContainerError"
    public static let runContainerError = "RunContainerError"
    public static let postStartHookError = "PostStartHookError"

    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }
}
