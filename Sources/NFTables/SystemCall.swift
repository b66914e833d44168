import Glibc

/// Runs a system call, retrying on `EINTR`, and turns a failure into an `NFTablesError` that names
/// the call and the object it was made for.
@inline(__always)
func systemCall<R: BinaryInteger>(_ name: String, _ object: @autoclosure () -> String,
                                  _ body: () -> R) throws(NFTablesError) -> R {
    while true {
        let result = body()
        if result >= 0 { return result }
        let error = errno
        if error == EINTR { continue }
        throw NFTablesError(kind: .systemCall, errno: error, operation: name, object: object())
    }
}
