import Glibc

/// A failed system call: which call, on what, and the `errno` it returned.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var subject: String
    public var errno: Int32

    public init(call: String, subject: String = "", errno: Int32) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return subject.isEmpty ? "\(call): \(reason) (errno \(errno))" : "\(call) \(subject): \(reason) (errno \(errno))"
    }
}

/// The one seam every raw system call of this module goes through: retries on `EINTR` and turns
/// a -1 return into a `SystemCallError` naming the call.
enum Syscall {
    @discardableResult
    static func retrying<T: BinaryInteger>(_ call: String, _ subject: String = "", _ body: () -> T) throws(SystemCallError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let error = Glibc.errno
            if error == EINTR { continue }
            throw SystemCallError(call: call, subject: subject, errno: error)
        }
    }
}
