/// The outcome of one probe or hook action, as upstream's `probe.Result`.
public enum ProbeResult: Sendable, Equatable {
    /// The check passed; `output` is what the container said (exec output, HTTP body).
    case success(output: String)
    /// Counted as a success, but worth an event (an HTTP probe stopped at a redirect to
    /// another host).
    case warning(String)
    /// The check failed, for the reason given.
    case failure(String)

    /// Whether the probe counts as passed (success or warning).
    public var passed: Bool {
        switch self {
        case .success, .warning: true
        case .failure: false
        }
    }
}

/// Which probe of a container.
public enum ProbeKind: String, Sendable, Hashable, CaseIterable {
    case startup = "Startup"
    case liveness = "Liveness"
    case readiness = "Readiness"
}
