import ContainerRuntime
import Synchronization

/// The kubelet's notion of now, in nanoseconds since the Unix epoch (the unit of CRI times), so
/// back-off timing is tested by moving a clock rather than by sleeping.
public protocol KubeletClock: Sendable {
    func nowNanoseconds() -> Int64
}

/// The real wall clock.
public struct SystemKubeletClock: KubeletClock {
    public init() {}
    public func nowNanoseconds() -> Int64 { WallClock.nowNanoseconds() }
}

/// A clock that moves only when told to; for tests.
public final class ManualKubeletClock: KubeletClock {
    private let now: Mutex<Int64>

    public init(nanoseconds: Int64 = WallClock.nowNanoseconds()) { now = Mutex(nanoseconds) }

    public func nowNanoseconds() -> Int64 { now.withLock { $0 } }

    /// Sets the clock to `nanoseconds` since the Unix epoch.
    public func set(nanoseconds: Int64) {
        now.withLock { $0 = nanoseconds }
    }

    /// Moves the clock forward.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        now.withLock { $0 += seconds * 1_000_000_000 + attoseconds / 1_000_000_000 }
    }
}
