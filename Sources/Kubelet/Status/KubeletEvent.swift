/// Something a person should know about a pod or a manifest (an `Event` without the API server):
/// bad manifests, image pull failures, crash loops, kills.
public struct KubeletEvent: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case normal = "Normal", warning = "Warning" }

    public var kind: Kind
    /// Upstream's reasons where there is one: `Failed`, `BackOff`, `Killing`, `Started`; ours:
    /// `InvalidManifest`.
    public var reason: String
    /// The pod (`namespace/name`) or the manifest file.
    public var object: String
    public var message: String
    /// The pod's UID when the event is about a pod and the kubelet knows it (the API's
    /// `involvedObject.uid`).
    public var uid: String?

    public init(kind: Kind, reason: String, object: String, message: String, uid: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.object = object
        self.message = message
        self.uid = uid
    }

    public var description: String { "\(kind.rawValue) \(reason) \(object): \(message)" }
}
