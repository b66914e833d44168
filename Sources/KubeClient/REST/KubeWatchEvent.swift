/// One event of a watch. An `ERROR` event is not an event but the end of the watch: the stream
/// throws it as a ``KubeAPIError`` (``KubeAPIError/isGone`` for 410, after which only a new list
/// helps).
public enum KubeWatchEvent<Object: KubeResource>: Sendable {
    /// `ADDED`.
    case added(Object)
    /// `MODIFIED`.
    case modified(Object)
    /// `DELETED`, with the object's last state.
    case deleted(Object)
    /// `BOOKMARK`: nothing changed, but the watch has seen everything up to this resourceVersion.
    case bookmark(resourceVersion: String)

    /// The resourceVersion the event brings the watcher to.
    public var resourceVersion: String {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object.resourceVersion
        case .bookmark(let resourceVersion): resourceVersion
        }
    }
}

/// An object the server sent that did not decode as the expected type; it was skipped.
public struct UndecodableObject: Sendable, CustomStringConvertible {
    /// The request that returned it.
    public var request: String
    /// `namespace/name` if the raw object had them, else empty.
    public var key: String
    /// What did not decode.
    public var message: String

    public var description: String {
        "\(request): skipped object \(key.isEmpty ? "(unnamed)" : key) that does not decode: \(message)"
    }
}
