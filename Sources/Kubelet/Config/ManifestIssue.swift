/// A manifest, or one document of it, that a source could not turn into an object: the agent
/// reports it (log line and Warning event) and keeps running everything else.
public struct ManifestIssue: Sendable, Hashable, CustomStringConvertible {
    /// The file or URL.
    public var location: String
    /// `file:line: field.path: what was expected`, one problem a line.
    public var message: String
    /// The pod's `namespace/name` when the document got that far, else empty.
    public var podName: String

    public init(location: String, message: String, podName: String = "") {
        self.location = location
        self.message = message
        self.podName = podName
    }

    public var description: String { message }
}
