/// An API call that failed, as the node loops need to tell failures apart (upstream's
/// `apierrors.IsAlreadyExists`, `IsNotFound`, `IsConflict`, and transport errors). The agent's
/// adapters over its client map their errors to this.
public struct KubeAPIFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// 409 with reason `AlreadyExists`.
        case alreadyExists
        /// 404.
        case notFound
        /// 409 with reason `Conflict` (a stale resourceVersion).
        case conflict
        /// Any other status the server answered with (its HTTP code).
        case status(Int)
        /// No answer: connection refused, reset, timed out.
        case transport
    }

    public var reason: Reason
    /// What went wrong, for the log.
    public var message: String

    /// Creates a failure.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// Whether the server answered (upstream's `*errors.StatusError`), as opposed to no answer.
    public var isServerAnswer: Bool {
        if case .transport = reason { return false }
        return true
    }

    public var description: String { message }
}
