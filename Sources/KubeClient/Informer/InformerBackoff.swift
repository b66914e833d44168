/// The reflector's back-off between failed list/watch rounds, as client-go's
/// `wait.NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0)`: 800 ms doubling up to 30 s,
/// each wait stretched by up to 100 % at random, starting over after two quiet minutes.
public struct InformerBackoff: Sendable, Hashable {
    /// The first wait.
    public var initial: Duration
    /// The largest wait (before jitter).
    public var maximum: Duration
    /// How long without failures resets the back-off.
    public var resetAfter: Duration
    /// Each wait is stretched by up to this fraction of itself.
    public var jitter: Double

    /// A back-off from its parts; client-go's values by default.
    public init(
        initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), resetAfter: Duration = .seconds(120),
        jitter: Double = 1.0
    ) {
        self.initial = initial
        self.maximum = maximum
        self.resetAfter = resetAfter
        self.jitter = jitter
    }

    /// The state of one reflector's back-off.
    struct State {
        var current: Duration?
        var lastFailure: Duration?

        /// The wait after a failure at `now`.
        mutating func next(_ backoff: InformerBackoff, now: Duration) -> Duration {
            if let lastFailure, now - lastFailure > backoff.resetAfter { current = nil }
            lastFailure = now
            let base = current.map { min($0 * 2, backoff.maximum) } ?? backoff.initial
            current = base
            return .fractionalSeconds(base.seconds * (1 + Double.random(in: 0...backoff.jitter)))
        }
    }
}
