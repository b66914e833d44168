#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, naming the call and carrying its `errno`.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name of the call that failed, e.g. `sendto`.
    public let call: String
    /// The `errno` value the call left behind.
    public let errno: Int32

    /// Creates an error for `call` with the given `errno` value.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The one seam every raw system call of this module goes through: retries on `EINTR` and
/// turns a `-1` return into a ``SystemCallError`` naming the call.
@discardableResult
func systemCall<Result: BinaryInteger>(
    _ name: String,
    _ body: () -> Result
) throws(SystemCallError) -> Result {
    while true {
        let result = body()
        if result != -1 {
            return result
        }
        let code = errno
        if code == EINTR {
            continue
        }
        throw SystemCallError(call: name, errno: code)
    }
}
