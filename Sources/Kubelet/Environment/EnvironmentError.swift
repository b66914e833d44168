/// Why a container's environment, command or args could not be built. The descriptions are
/// upstream's, and become the message of the container's `CreateContainerConfigError`.
public enum EnvironmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A referenced ConfigMap does not exist and the reference is not optional.
    case configMapNotFound(namespace: String, name: String)
    /// A referenced Secret does not exist and the reference is not optional.
    case secretNotFound(namespace: String, name: String)
    /// A `configMapKeyRef` names a key the ConfigMap does not have.
    case configMapKeyNotFound(namespace: String, name: String, key: String)
    /// A `secretKeyRef` names a key the Secret does not have.
    case secretKeyNotFound(namespace: String, name: String, key: String)
    /// A Secret value is not valid base64.
    case secretValueNotBase64(namespace: String, name: String, key: String)
    /// A `fieldRef` names a path the downward API does not offer.
    case unsupportedFieldPath(String)
    /// A `resourceFieldRef` names a resource the downward API does not offer.
    case unsupportedResource(String)
    /// A `resourceFieldRef.containerName` names no container of the pod.
    case containerNotFound(String)
    /// Looking a ConfigMap or Secret up failed for another reason.
    case lookupFailed(String)

    public var description: String {
        switch self {
        case .configMapNotFound(_, let name): "configmaps \"\(name)\" not found"
        case .secretNotFound(_, let name): "secrets \"\(name)\" not found"
        case .configMapKeyNotFound(let namespace, let name, let key):
            "couldn't find key \(key) in ConfigMap \(namespace)/\(name)"
        case .secretKeyNotFound(let namespace, let name, let key):
            "couldn't find key \(key) in Secret \(namespace)/\(name)"
        case .secretValueNotBase64(let namespace, let name, let key):
            "Secret \(namespace)/\(name): data.\(key) is not valid base64"
        case .unsupportedFieldPath(let path): "unsupported fieldPath: \(path)"
        case .unsupportedResource(let resource): "unsupported container resource : \(resource)"
        case .containerNotFound(let name): "container \(name) not found"
        case .lookupFailed(let message): message
        }
    }
}
