/// When a request that failed is sent again, following client-go's `rest.Request` retries: up to
/// `maxAttempts` tries on 429 and on 500, 502, 503 and 504, waiting what the server's `Retry-After`
/// says (in seconds), else an exponential back-off with jitter. A `POST` is tried again only after
/// a 429, the one answer that says the request was not processed. A `GET` is also tried again when
/// no answer arrived at all (connection refused or reset).
public struct RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included (client-go: 10 with Retry-After).
    public var maxAttempts: Int
    /// The first back-off when the server gave no `Retry-After`.
    public var initialBackoff: Duration
    /// The largest back-off, and the largest `Retry-After` honoured.
    public var maxBackoff: Duration
    /// Each back-off is stretched by up to this fraction of itself at random.
    public var jitter: Double

    /// A policy from its parts.
    public init(
        maxAttempts: Int = 10, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(30),
        jitter: Double = 0.5
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = max(0, jitter)
    }

    /// Never retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The status codes that may be retried.
    static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// Whether an answer with `status` to a `method` request is worth another try.
    func shouldRetry(method: String, status: Int) -> Bool {
        guard Self.retryableStatuses.contains(status) else { return false }
        return method != "POST" || status == 429
    }

    /// The wait before try number `attempt + 1` (`attempt` counting from 1), given the server's
    /// `Retry-After` header if any.
    func delay(afterAttempt attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Int(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return min(.seconds(seconds), maxBackoff)
        }
        let exponent = Double(min(attempt - 1, 30))
        let base = min(initialBackoff.seconds * pow2(exponent), maxBackoff.seconds)
        return min(.fractionalSeconds(base * (1 + Double.random(in: 0...jitter))), maxBackoff)
    }
}

func pow2(_ exponent: Double) -> Double {
    var value = 1.0
    var remaining = Int(exponent)
    while remaining > 0 {
        value *= 2
        remaining -= 1
    }
    return value
}

extension String {
    func trimmingCharacters(in set: TrimSet) -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }

    enum TrimSet { case whitespaces }
}
