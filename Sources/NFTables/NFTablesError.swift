import Glibc

/// An nftables failure, naming what was attempted and on which object.
///
/// For a rejected batch, `operation` and `object` name the message the kernel rejected (the
/// first one, when several failed), e.g. `add rule ip kube-proxy service-ABC: No such file or
/// directory (ENOENT)`. Nothing of such a batch was applied.
public struct NFTablesError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The kernel rejected a message of the batch; the whole batch was rolled back.
        case rejected
        /// A system call failed (socket, setns, sendmsg, recv, ...).
        case systemCall
        /// The request cannot be encoded (a key of the wrong length, an unknown expression read back).
        case invalidRequest
        /// The kernel's reply could not be understood.
        case malformedReply
    }

    public var kind: Kind
    /// The `errno` value, or 0 when the error did not come with one.
    public var errno: Int32
    /// What was attempted: `add rule`, `sendmsg`, `setns`, `list rules`.
    public var operation: String
    /// The object: `ip kube-proxy service-ABC`, a netns path, a rule's position in the batch.
    public var object: String
    /// More detail: the kernel's extended-ack message, the index of the operation in the batch,
    /// how many other messages failed.
    public var detail: String?

    public init(kind: Kind, errno: Int32, operation: String, object: String, detail: String? = nil) {
        self.kind = kind
        self.errno = errno
        self.operation = operation
        self.object = object
        self.detail = detail
    }

    /// The symbolic name of `errno` (`ENOENT`), or its number.
    public var errnoName: String {
        switch errno {
        case ENOENT: "ENOENT"
        case EEXIST: "EEXIST"
        case EINVAL: "EINVAL"
        case EBUSY: "EBUSY"
        case EPERM: "EPERM"
        case ENOSPC: "ENOSPC"
        case ENOBUFS: "ENOBUFS"
        case EMSGSIZE: "EMSGSIZE"
        case EOPNOTSUPP: "EOPNOTSUPP"
        case ELOOP: "ELOOP"
        case ERANGE: "ERANGE"
        case ENOMEM: "ENOMEM"
        case EAGAIN: "EAGAIN"
        case EACCES: "EACCES"
        case ENOTEMPTY: "ENOTEMPTY"
        case EBADF: "EBADF"
        default: "errno \(errno)"
        }
    }

    public var description: String {
        var text = "\(operation) \(object)"
        if errno != 0 {
            text += ": \(String(cString: strerror(errno))) (\(errnoName))"
        }
        if let detail {
            text += errno != 0 ? " [\(detail)]" : ": \(detail)"
        }
        return text
    }
}
