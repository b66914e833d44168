import Glibc

/// What went wrong talking to the kernel.
public enum NetlinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kernel refused a request: `errno` is positive, `message` is the extended ack text
    /// (`NLMSGERR_ATTR_MSG`) when the kernel gave one.
    case kernel(operation: String, errno: Int32, message: String?)
    /// A system call failed before or after the netlink exchange.
    case system(call: String, errno: Int32)
    /// A reply did not have the shape rtnetlink documents.
    case malformedReply(String)
    /// A request did not fit into the batch buffer.
    case requestTooLarge(operation: String)
    /// Input that can never be a valid request (bad names, prefixes).
    case invalidArgument(String)

    /// The errno behind the error, if there is one.
    public var errno: Int32? {
        switch self {
        case .kernel(_, let code, _), .system(_, let code): code
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .kernel(let operation, let code, let message):
            let text = "\(operation): \(errnoText(code)) (errno \(code))"
            if let message, !message.isEmpty { return "\(text): \(message)" }
            return text
        case .system(let call, let code):
            return "\(call): \(errnoText(code)) (errno \(code))"
        case .malformedReply(let what):
            return "malformed netlink reply: \(what)"
        case .requestTooLarge(let operation):
            return "\(operation): request does not fit into the netlink buffer"
        case .invalidArgument(let what):
            return what
        }
    }
}
