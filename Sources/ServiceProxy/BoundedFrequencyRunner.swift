/// Runs an action no more often than `minInterval` and at least every `maxInterval`, and again
/// `retryInterval` after a failed run, like upstream's `BoundedFrequencyRunner` (without its
/// burst allowance: runs are always at least `minInterval` apart). Requests that arrive while a
/// run is due merge into that run.
///
/// `run()` is the runner's whole life: start it once (as a `Service`'s `run()` does) and cancel
/// the task to stop it.
public actor BoundedFrequencyRunner<RunnerClock: Clock> where RunnerClock.Duration == Duration {
    public let minInterval: Duration
    public let maxInterval: Duration
    public let retryInterval: Duration
    private let action: @Sendable () async -> Bool
    private let clock: RunnerClock

    private var requested = true
    private var retryAt: RunnerClock.Instant?
    private var waiter: CheckedContinuation<Void, Never>?
    /// How many times the action ran.
    public private(set) var runs = 0

    /// - Parameters:
    ///   - minInterval: `minSyncPeriod` (upstream's default is 1 s).
    ///   - maxInterval: the periodic run (upstream uses an hour for nftables; `syncPeriod` is the retry).
    ///   - retryInterval: `syncPeriod` (default 30 s): when a failed run is tried again.
    ///   - action: the work; returns whether it succeeded.
    ///   - clock: the clock intervals are measured on (tests pass one they move by hand).
    public init(minInterval: Duration, maxInterval: Duration, retryInterval: Duration, clock: RunnerClock,
                action: @escaping @Sendable () async -> Bool) {
        self.clock = clock
        self.minInterval = minInterval
        self.maxInterval = maxInterval
        self.retryInterval = retryInterval
        self.action = action
    }

    /// Asks for a run as soon as `minInterval` allows.
    public func requestRun() {
        requested = true
        wake()
    }

    /// Runs until the calling task is cancelled; the first run happens at once.
    public func run() async {
        var lastRun: RunnerClock.Instant?
        while !Task.isCancelled {
            if requested {
                if let lastRun {
                    let earliest = lastRun.advanced(by: minInterval)
                    if earliest > clock.now {
                        try? await clock.sleep(until: earliest, tolerance: nil)
                        if Task.isCancelled { return }
                    }
                }
            } else {
                var deadline = (lastRun ?? clock.now).advanced(by: maxInterval)
                if let retryAt, retryAt < deadline { deadline = retryAt }
                if deadline > clock.now {
                    await waitForRequest(until: deadline)
                    continue
                }
            }
            requested = false
            retryAt = nil
            lastRun = clock.now
            runs += 1
            if await !action() {
                retryAt = clock.now.advanced(by: retryInterval)
            }
        }
    }

    private func waitForRequest(until deadline: RunnerClock.Instant) async {
        guard !requested else { return }
        let timer = Task { [clock] in
            try? await clock.sleep(until: deadline, tolerance: nil)
            await self.wakeFromTimer()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if requested || Task.isCancelled { continuation.resume() } else { waiter = continuation }
            }
        } onCancel: {
            Task { await self.wake() }
        }
        timer.cancel()
    }

    private func wakeFromTimer() async { wake() }

    private func wake() {
        waiter?.resume()
        waiter = nil
    }
}

extension BoundedFrequencyRunner where RunnerClock == ContinuousClock {
    /// A runner on the continuous clock.
    public init(minInterval: Duration, maxInterval: Duration, retryInterval: Duration,
                action: @escaping @Sendable () async -> Bool) {
        self.init(minInterval: minInterval, maxInterval: maxInterval, retryInterval: retryInterval, clock: ContinuousClock(),
                  action: action)
    }
}
