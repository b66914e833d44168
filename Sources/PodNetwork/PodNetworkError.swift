import Netlink

/// Why a pod network operation failed. Each case says what a person needs to fix it.
public enum PodNetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration value is wrong: `source` names the file or setting, `field` the path.
    case invalidConfiguration(source: String, field: String, expected: String)
    /// No free address is left in the range.
    case addressRangeExhausted(range: IPNetwork)
    /// A request is malformed.
    case invalidRequest(field: String, expected: String)
    /// The sandbox is not attached as expected (from CHECK).
    case checkFailed(sandboxID: String, reason: String)
    /// A state file could not be read or written.
    case state(path: String, errno: Int32)
    /// A CNI plugin binary was not found in any of the directories.
    case pluginNotFound(type: String, searched: [String])
    /// A CNI plugin returned an error result (or exited non-zero).
    case pluginFailed(type: String, command: String, code: Int, message: String, details: String)
    /// A CNI plugin printed something that is not a result of its version.
    case invalidPluginResult(type: String, reason: String)
    /// The kernel refused a request.
    case netlink(NetlinkError)
    /// The network cannot take new sandboxes now (readiness, CRI `NetworkReady`).
    case notReady(network: String, reason: String)
    /// The plugin started and can attach sandboxes, but releasing what belongs to sandboxes no
    /// longer alive failed (CNI GC, or the built-in plugin's reconciliation at start).
    case garbageCollectionFailed(network: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let source, let field, let expected):
            return "\(source): \(field): expected \(expected)"
        case .addressRangeExhausted(let range):
            return "no free address left in \(range)"
        case .invalidRequest(let field, let expected):
            return "pod network request: \(field): expected \(expected)"
        case .checkFailed(let sandbox, let reason):
            return "sandbox \(sandbox): network check failed: \(reason)"
        case .state(let path, let code):
            return "\(path): \(String(cString: strerror(code))) (errno \(code))"
        case .pluginNotFound(let type, let searched):
            return "CNI plugin \"\(type)\" not found in \(searched.joined(separator: ", "))"
        case .pluginFailed(let type, let command, let code, let message, let details):
            var text = "CNI plugin \"\(type)\" \(command) failed with code \(code): \(message)"
            if !details.isEmpty { text += " (\(details))" }
            return text
        case .invalidPluginResult(let type, let reason):
            return "CNI plugin \"\(type)\" returned an unusable result: \(reason)"
        case .netlink(let error):
            return error.description
        case .notReady(let network, let reason):
            return "network \(network) is not ready: \(reason)"
        case .garbageCollectionFailed(let network, let reason):
            return "network \(network): releasing the state of sandboxes no longer alive failed: \(reason)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
