import Synchronization

/// Client-side rate limiting as client-go's `flowcontrol.NewTokenBucketRateLimiter` does it: a
/// bucket of `burst` tokens refilled at `qps` per second; every request (every retry too) takes one
/// token and waits when the bucket is empty. Waiters reserve their token first, so concurrent
/// requests queue in order instead of all waking at once.
public final class TokenBucketRateLimiter: Sendable {
    /// Tokens added per second.
    public let qps: Double
    /// The bucket's size, and how many requests may go at once after a quiet period.
    public let burst: Int
    private let clock: KubeClock
    private struct Bucket {
        var tokens: Double
        var last: Duration
    }
    private let bucket: Mutex<Bucket>

    /// A limiter allowing `qps` requests per second on average and bursts of `burst`.
    /// A full bucket to begin with, as client-go's.
    public init(qps: Double, burst: Int, clock: KubeClock = .system) {
        self.qps = qps
        self.burst = max(1, burst)
        self.clock = clock
        bucket = Mutex(Bucket(tokens: Double(max(1, burst)), last: clock.now()))
    }

    /// How long the caller must wait for its token, the token reserved (the bucket may go negative).
    func reserve() -> Duration {
        let now = clock.now()
        let (qps, burst) = (self.qps, Double(self.burst))
        return bucket.withLock { bucket in
            let elapsed = max(0, (now - bucket.last).seconds)
            bucket.tokens = min(burst, bucket.tokens + elapsed * qps)
            bucket.last = now
            bucket.tokens -= 1
            return bucket.tokens >= 0 ? .zero : .fractionalSeconds(-bucket.tokens / qps)
        }
    }

    /// Takes one token, waiting until it is available.
    ///
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func acquire() async throws {
        let wait = reserve()
        if wait > .zero { try await clock.sleep(wait) }
    }
}
