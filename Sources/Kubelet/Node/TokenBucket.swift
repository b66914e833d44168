/// A passive token bucket (upstream's `NewTokenBucketPassiveRateLimiterWithClock`): starts full
/// with `burst` tokens and refills at `qps`; a call takes a token if there is one.
struct TokenBucket: Sendable {
    let qps: Double
    let burst: Double
    private var tokens: Double
    private var last: Int64

    init(qps: Double, burst: Int, nowNanoseconds: Int64) {
        self.qps = qps
        self.burst = Double(burst)
        self.tokens = Double(burst)
        self.last = nowNanoseconds
    }

    /// Takes a token if one is available at `nowNanoseconds`.
    mutating func tryAccept(nowNanoseconds: Int64) -> Bool {
        if nowNanoseconds > last {
            tokens = min(burst, tokens + Double(nowNanoseconds - last) / 1e9 * qps)
            last = nowNanoseconds
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
