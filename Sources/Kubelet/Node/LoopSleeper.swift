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
