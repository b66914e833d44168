/// Errors every backend reports in the same way, so the kubelet can react to them.
public enum RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No sandbox, container or image with this identifier.
    case notFound(kind: String, id: String)
    /// The object exists but is in a state that does not allow the call (e.g. start twice).
    case invalidState(id: String, state: String, operation: String)
    /// The request itself is wrong; `field` is the path of the offending field.
    case invalidArgument(field: String, reason: String)
    /// The operation did not finish in time.
    case timedOut(operation: String, seconds: Int64)
    /// The backend does not implement this call.
    case unimplemented(String)
    /// The backend failed; `message` says which step and why.
    case failed(String)

    public var description: String {
        switch self {
        case .notFound(let kind, let id): "\(kind) \(id) not found"
        case .invalidState(let id, let state, let operation): "cannot \(operation) \(id): it is \(state)"
        case .invalidArgument(let field, let reason): "invalid \(field): \(reason)"
        case .timedOut(let operation, let seconds): "\(operation) timed out after \(seconds)s"
        case .unimplemented(let call): "\(call) is not implemented by this runtime"
        case .failed(let message): message
        }
    }
}
