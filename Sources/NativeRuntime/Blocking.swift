import Dispatch

/// Runs work that blocks in the kernel (waiting on a pipe or a socket, a cgroup migration) on a
/// thread of its own, off Swift's cooperative pool.
enum Blocking {
    /// Each call gets a fresh serial queue, which runs on Dispatch's overcommitting pool: a thread
    /// per blocked call. The global concurrent queue would run only as many calls as there are
    /// CPUs, so N containers started at once would wait for each other's monitors.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "swiftlet.runtime.blocking").async { continuation.resume(with: Result { try body() }) }
        }
    }
}
