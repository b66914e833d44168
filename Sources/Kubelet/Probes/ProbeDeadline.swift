import Dispatch

/// A timeout turned into a Dispatch deadline from now.
struct ProbeDeadline: Sendable {
    let dispatchTime: DispatchTime

    init(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds / 1_000_000_000)
        dispatchTime = DispatchTime.now() + .nanoseconds(Int(clamping: nanoseconds))
    }
}
