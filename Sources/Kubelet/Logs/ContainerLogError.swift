#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a container's log could not be rotated or cleaned; each names the file and the step.
public enum ContainerLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file operation (`operation`, e.g. `rename`) on `path` failed with `errno`.
    case file(operation: String, path: String, errno: Int32)
    /// Compressing `path` failed in zlib with `status`.
    case compression(path: String, status: Int32)
    /// The runtime could not reopen the log after it was renamed to `rotated`; the rename was rolled back.
    case reopen(containerID: String, rotated: String, reason: String)

    public var description: String {
        switch self {
        case .file(let operation, let path, let errno):
            "\(operation) \(path): \(String(cString: strerror(errno)))"
        case .compression(let path, let status):
            "gzip \(path): zlib status \(status)"
        case .reopen(let containerID, let rotated, let reason):
            "container \(containerID): the runtime did not reopen its log after it was renamed to \(rotated) "
                + "(renamed back, retried next round): \(reason)"
        }
    }
}
