/// The result a probe reports for a container, as upstream's `results.Result`.
public enum ProbeStatus: String, Sendable, Hashable {
    case unknown
    case success
    case failure

    /// What a probe kind reports before its first decision: readiness starts failed (not
    /// ready), liveness succeeded (alive), startup unknown.
    public static func initial(for kind: ProbeKind) -> ProbeStatus {
        switch kind {
        case .readiness: .failure
        case .liveness: .success
        case .startup: .unknown
        }
    }
}

/// The counting part of a probe worker (upstream's `worker.doProbe`), free of time and I/O:
/// a result is reported once it has been seen `successThreshold` or `failureThreshold` times in
/// a row; a liveness or startup failure puts the worker on hold until the container is replaced.
public struct ProbeWorkerState: Sendable, Equatable {
    public let kind: ProbeKind
    public let successThreshold: Int
    public let failureThreshold: Int
    /// The container currently probed.
    public private(set) var containerID: String?
    /// The last raw result and how many times in a row it was seen.
    public private(set) var lastPassed: Bool?
    public private(set) var run: Int = 0
    /// Set after a liveness or startup failure was reported: no more probes of this container.
    public private(set) var onHold = false

    public init(kind: ProbeKind, successThreshold: Int, failureThreshold: Int) {
        self.kind = kind
        self.successThreshold = max(1, successThreshold)
        self.failureThreshold = max(1, failureThreshold)
    }

    /// Starts over for a new container; returns the initial status to report for it.
    public mutating func observe(containerID: String) -> ProbeStatus? {
        guard containerID != self.containerID else { return nil }
        self.containerID = containerID
        lastPassed = nil
        run = 0
        onHold = false
        return ProbeStatus.initial(for: kind)
    }

    /// Records one probe result; returns the status to report when a threshold is reached.
    public mutating func record(passed: Bool) -> ProbeStatus? {
        if lastPassed == passed {
            run += 1
        } else {
            lastPassed = passed
            run = 1
        }
        if passed && run < successThreshold { return nil }
        if !passed && run < failureThreshold { return nil }
        if !passed && (kind == .liveness || kind == .startup) {
            onHold = true
            run = 0
        }
        return passed ? .success : .failure
    }
}
