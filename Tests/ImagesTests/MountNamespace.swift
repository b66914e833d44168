import CLinuxFS
import Foundation
import Synchronization

/// Runs code in a private mount namespace of its own: a dedicated thread calls
/// `unshare(CLONE_NEWNS)`, makes every mount private, runs the body and exits, so no mount made
/// there is ever seen by (or left in) the host's namespace.
enum MountNamespace {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { finished.signal() }
            guard SL_unshare_mount_namespace() == 0 else {
                outcome.withLock { $0 = .failure(Failure(description: "unshare(CLONE_NEWNS): \(String(cString: strerror(errno)))")) }
                return
            }
            guard mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0 else {
                outcome.withLock { $0 = .failure(Failure(description: "mount --make-rprivate /: \(String(cString: strerror(errno)))")) }
                return
            }
            let result = Result { try body() }
            outcome.withLock { $0 = result }
        }
        thread.start()
        finished.wait()
        guard let result = outcome.withLock({ $0 }) else { throw Failure(description: "the namespace thread produced nothing") }
        return try result.get()
    }

    /// Whether something is mounted at `path` as the calling thread sees it: the directory is on a
    /// different device from its parent.
    static func isMounted(_ path: String) -> Bool {
        var inner = stat(), outer = stat()
        guard stat(path, &inner) == 0, stat(path + "/..", &outer) == 0 else { return false }
        return inner.st_dev != outer.st_dev
    }
}
