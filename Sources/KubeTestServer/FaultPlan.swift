/// Faults a test asked for: failures for the next requests that match, and a delay on every answer.
struct FaultPlan: Sendable {
    struct Failure: Sendable {
        var remaining: Int
        var status: Int
        var retryAfterSeconds: Int?
        var pathPrefix: String?
        var verb: String?
    }

    var failures: [Failure] = []
    var delay: Duration?

    /// Takes one matching failure, if any is left.
    mutating func takeFailure(path: String, method: String) -> Failure? {
        guard
            let index = failures.firstIndex(where: {
                $0.remaining > 0 && ($0.pathPrefix.map { path.hasPrefix($0) } ?? true)
                    && ($0.verb.map { $0.uppercased() == method.uppercased() } ?? true)
            })
        else { return nil }
        failures[index].remaining -= 1
        let failure = failures[index]
        if failures[index].remaining == 0 { failures.remove(at: index) }
        return failure
    }
}
