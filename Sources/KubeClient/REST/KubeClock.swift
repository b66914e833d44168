import Synchronization

/// The time source the client's rate limiter, retries and informers wait on.
///
/// ``system`` uses the monotonic clock; tests inject a clock whose `sleep` only advances a counter,
/// so retry and back-off behaviour can be checked without waiting.
public struct KubeClock: Sendable {
    /// Time elapsed since an arbitrary fixed origin.
    public var now: @Sendable () -> Duration
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// A clock from its two operations.
    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The monotonic clock of the machine.
    public static let system: KubeClock = {
        let origin = ContinuousClock.now
        return KubeClock(
            now: { ContinuousClock.now - origin },
            sleep: { duration in try await Task.sleep(for: duration) }
        )
    }()
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// A duration of `seconds` seconds, clamped to at least zero.
    static func fractionalSeconds(_ seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .nanoseconds(Int64(min(seconds, 1e9) * 1e9))
    }
}
