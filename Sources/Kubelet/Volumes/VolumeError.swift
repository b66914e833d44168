/// Why a pod volume could not be set up; the description names the volume and what was expected
/// and becomes the message of the pod's `FailedMount` event.
public enum VolumeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A payload path is absolute, empty, contains `..` or starts with `..` (reserved).
    case invalidPath(String, reason: String)
    /// A system call failed on a path.
    case system(call: String, path: String, errno: Int32)
    /// A hostPath volume's path failed its `type` check (upstream's message).
    case hostPathTypeCheck(String)
    /// A ConfigMap or Secret volume names a key the object lacks.
    case missingKey(kind: String, key: String)
    /// A referenced ConfigMap or Secret does not exist and the volume is not optional.
    case objectNotFound(kind: String, name: String)
    /// The volume uses a kind swiftlet does not support.
    case unsupportedKind(volume: String, kind: String)
    /// A volumeMount names no volume of the pod.
    case unknownVolume(container: String, volume: String)
    /// A subPath escapes its volume.
    case subPathOutsideVolume(volume: String, subPath: String)
    /// Rendering a value failed (a downward API field, a Secret's base64).
    case payload(volume: String, message: String)

    public var description: String {
        switch self {
        case .invalidPath(let path, let reason): "invalid file path \"\(path)\": \(reason)"
        case .system(let call, let path, let errno): "\(call) \(path): \(String(cString: strerror(errno)))"
        case .hostPathTypeCheck(let message): message
        case .missingKey(let kind, let key):
            "\(kind) references non-existent \(kind == "configmap" ? "config" : kind) key: \(key)"
        case .objectNotFound(let kind, let name): "\(kind)s \"\(name)\" not found"
        case .unsupportedKind(let volume, let kind):
            "volume \"\(volume)\": the \(kind) volume type is not supported by swiftlet"
        case .unknownVolume(let container, let volume):
            "container \"\(container)\": volumeMounts names volume \"\(volume)\", which the pod does not define"
        case .subPathOutsideVolume(let volume, let subPath):
            "volume \"\(volume)\": subPath \"\(subPath)\" points outside the volume"
        case .payload(let volume, let message): "volume \"\(volume)\": \(message)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
