import Synchronization

/// Per-key exponential back-off as upstream's `flowcontrol.Backoff` used by the kubelet: the first
/// failure is retried at once and starts the delay at `initial`; each further failure within the
/// delay doubles it up to `maximum`; an entry untouched for twice `maximum` is forgotten, so a
/// container that ran for 10 minutes starts over at 10 s.
public final class Backoff: Sendable {
    private struct Entry {
        var delay: Int64
        var lastUpdate: Int64
    }

    /// Upstream's crash-loop back-off: 10 s doubling to 300 s (`kubelet.go` `backOffPeriod`,
    /// `MaxContainerBackOff`).
    public static let containerInitial: Duration = .seconds(10)
    public static let containerMaximum: Duration = .seconds(300)

    private let initial: Int64
    private let maximum: Int64
    private let clock: any KubeletClock
    private let entries = Mutex<[String: Entry]>([:])

    public init(initial: Duration = Backoff.containerInitial, maximum: Duration = Backoff.containerMaximum, clock: any KubeletClock) {
        self.initial = Self.nanoseconds(initial)
        self.maximum = Self.nanoseconds(maximum)
        self.clock = clock
    }

    /// Whether the key is still waiting out its delay counted from `eventTime` (nanoseconds).
    public func isInBackoff(_ key: String, since eventTime: Int64) -> Bool {
        let now = clock.nowNanoseconds()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return false }
            if now - entry.lastUpdate > 2 * maximum { return false }
            return now - eventTime < entry.delay
        }
    }

    /// Records a retry at `eventTime`: the delay starts at `initial` or doubles.
    public func next(_ key: String, eventTime: Int64) {
        let now = clock.nowNanoseconds()
        entries.withLock { entries in
            if var entry = entries[key], now - entry.lastUpdate <= 2 * maximum {
                entry.delay = min(entry.delay * 2, maximum)
                entry.lastUpdate = eventTime
                entries[key] = entry
            } else {
                entries[key] = Entry(delay: initial, lastUpdate: eventTime)
            }
        }
    }

    /// The current delay of the key, if it has one.
    public func delay(of key: String) -> Duration? {
        entries.withLock { $0[key].map { .nanoseconds($0.delay) } }
    }

    /// The time left until the key may be retried after `eventTime`, or nil when it may be now.
    public func remaining(_ key: String, since eventTime: Int64) -> Duration? {
        let now = clock.nowNanoseconds()
        return entries.withLock { entries in
            guard let entry = entries[key], now - entry.lastUpdate <= 2 * maximum else { return nil }
            let left = entry.delay - (now - eventTime)
            return left > 0 ? .nanoseconds(left) : nil
        }
    }

    /// When the key was last updated, unless it has expired.
    func lastUpdate(of key: String) -> Int64? {
        let now = clock.nowNanoseconds()
        return entries.withLock { entries in
            guard let entry = entries[key], now - entry.lastUpdate <= 2 * maximum else { return nil }
            return entry.lastUpdate
        }
    }

    /// Forgets every key that starts with `prefix` (a pod that is gone).
    public func forget(prefix: String) {
        entries.withLock { entries in entries = entries.filter { !$0.key.hasPrefix(prefix) } }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension Backoff {
    /// The time left of the key's delay counted from its last update (upstream's
    /// `IsInBackOffSinceUpdate`, used for image pulls), or nil when it may be retried now.
    public func remainingSinceUpdate(_ key: String, now: Int64) -> Duration? {
        guard let delay = delay(of: key), let last = lastUpdate(of: key) else { return nil }
        let delayNanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        let left = delayNanoseconds - (now - last)
        return left > 0 ? .nanoseconds(left) : nil
    }
}
