import ServiceLifecycle

/// How the node loops wait between rounds, so tests move a clock instead of sleeping.
public protocol LoopSleeper: Sendable {
    /// Waits `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// Waits with `Task.sleep`.
public struct TaskLoopSleeper: LoopSleeper {
    public init() {}
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// Runs a service's loop until graceful shutdown (or cancellation) ends it. The loop's sleeps
/// throw `CancellationError` then, which is how such a loop ends, not a failure: the service
/// returns normally, so the group does not cancel everything else and the agent exits 0.
func runUntilShutdown(_ loop: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(loop)
    } catch is CancellationError {
        return
    }
}
