import KubeAPI

/// What a probe worker needs to know of its container at each period.
public enum ProbedContainerState: Sendable, Equatable {
    /// The container runs: its ID, how long it has run, whether its startup probe (if any) has
    /// passed, and the pod's IP for network probes.
    case running(containerID: String, runningFor: Duration, started: Bool, podIP: String)
    /// The container does not run now; `willRestart` false ends the worker.
    case notRunning(containerID: String?, willRestart: Bool)
    /// The pod is gone: the worker ends.
    case podGone
}

/// Probes one container with one of its probes every period (upstream's prober `worker`),
/// reporting to `ProbeResults`. Time comes from the injected clock.
public struct ProbeWorker<C: Clock>: Sendable where C.Duration == Duration {
    public let podUID: String
    public let container: CoreV1.Container
    public let kind: ProbeKind
    public let probe: CoreV1.Probe
    public let prober: Prober
    public let results: ProbeResults
    public let clock: C
    /// Asked before every probe.
    public let observe: @Sendable () async -> ProbedContainerState

    public init(
        podUID: String, container: CoreV1.Container, kind: ProbeKind, probe: CoreV1.Probe, prober: Prober, results: ProbeResults,
        clock: C, observe: @escaping @Sendable () async -> ProbedContainerState
    ) {
        self.podUID = podUID
        self.container = container
        self.kind = kind
        self.probe = probe
        self.prober = prober
        self.results = results
        self.clock = clock
        self.observe = observe
    }

    /// Probes until the task is cancelled, the pod is gone, or the container stopped for good.
    public func run() async {
        let settings = ProbeSettings(probe)
        var state = ProbeWorkerState(kind: kind, successThreshold: settings.successThreshold, failureThreshold: settings.failureThreshold)
        while !Task.isCancelled {
            guard await step(&state, settings: settings) else { return }
            do { try await clock.sleep(for: settings.period) } catch { return }
        }
    }

    /// One period: observe, maybe probe, maybe report. Returns false when the worker should end.
    public func step(_ state: inout ProbeWorkerState, settings: ProbeSettings) async -> Bool {
        switch await observe() {
        case .podGone:
            return false
        case .notRunning(let containerID, let willRestart):
            if let containerID, kind == .readiness {
                report(containerID: containerID, status: .failure, message: "container is not running")
            }
            return willRestart
        case .running(let containerID, let runningFor, let started, let podIP):
            if let initial = state.observe(containerID: containerID) {
                report(containerID: containerID, status: initial, message: "")
            }
            if state.onHold { return true }
            if kind == .startup && started { return true }
            if kind != .startup && !started { return true }
            if runningFor < settings.initialDelay { return true }
            let result: ProbeResult
            do {
                let action = try ProbeAction(probe: probe, container: container, podIP: podIP)
                result = await prober.run(action, containerID: containerID, timeout: settings.timeout)
            } catch {
                result = .failure(error.description)
            }
            if let status = state.record(passed: result.passed) {
                report(containerID: containerID, status: status, message: Self.message(result))
            }
            return true
        }
    }

    private func report(containerID: String, status: ProbeStatus, message: String) {
        results.set(
            ProbeResults.Update(
                podUID: podUID, containerName: container.name, containerID: containerID, kind: kind, status: status, message: message))
    }

    private static func message(_ result: ProbeResult) -> String {
        switch result {
        case .success(let output): output
        case .warning(let text): text
        case .failure(let text): text
        }
    }
}
