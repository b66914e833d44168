import KubeAPI

/// A probe's timing and thresholds, with upstream's defaults.
public struct ProbeSettings: Sendable, Equatable {
    /// Time after the container starts before the first probe (default 0).
    public var initialDelay: Duration
    /// Time between probes (default 10 s).
    public var period: Duration
    /// Time a probe may take (default 1 s).
    public var timeout: Duration
    /// Consecutive successes that make the result a success (default 1).
    public var successThreshold: Int
    /// Consecutive failures that make the result a failure (default 3).
    public var failureThreshold: Int
    /// The probe-level grace period for a liveness or startup kill, when set.
    public var terminationGracePeriodSeconds: Int64?

    public init(
        initialDelay: Duration = .zero, period: Duration = .seconds(10), timeout: Duration = .seconds(1),
        successThreshold: Int = 1, failureThreshold: Int = 3, terminationGracePeriodSeconds: Int64? = nil
    ) {
        self.initialDelay = initialDelay
        self.period = period
        self.timeout = timeout
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }

    /// The settings of a pod spec probe; unset or non-positive values take the defaults.
    public init(_ probe: CoreV1.Probe) {
        func positive(_ value: Int32?, _ fallback: Int) -> Int {
            guard let value, value > 0 else { return fallback }
            return Int(value)
        }
        self.init(
            initialDelay: .seconds(max(0, Int(probe.initialDelaySeconds ?? 0))),
            period: .seconds(positive(probe.periodSeconds, 10)),
            timeout: .seconds(positive(probe.timeoutSeconds, 1)),
            successThreshold: positive(probe.successThreshold, 1),
            failureThreshold: positive(probe.failureThreshold, 3),
            terminationGracePeriodSeconds: probe.terminationGracePeriodSeconds)
    }
}

extension ProbeSettings {
    /// The grace period of a kill after this liveness or startup probe failed: the probe's own
    /// `terminationGracePeriodSeconds` when set, else the pod's (upstream's
    /// `ProbeTerminationGracePeriod` behaviour; default 30 s).
    public func killGracePeriodSeconds(podTerminationGracePeriodSeconds: Int64?) -> Int64 {
        terminationGracePeriodSeconds ?? podTerminationGracePeriodSeconds ?? 30
    }
}
