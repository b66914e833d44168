import KubeAPI

/// Starts and stops the probe workers of each pod (upstream's `prober.Manager`): one worker per
/// container and probe kind, each a child task that ends when the pod is removed.
public actor ProbeManager {
    public nonisolated let prober: Prober
    public nonisolated let results: ProbeResults
    private var workers: [String: [Task<Void, Never>]] = [:]

    public init(prober: Prober, results: ProbeResults = ProbeResults()) {
        self.prober = prober
        self.results = results
    }

    /// Starts the workers of `pod`'s containers that have probes. `observe` tells a worker the
    /// state of the named container. Adding a pod twice keeps the first workers.
    public func addPod<C: Clock>(
        _ pod: CoreV1.Pod, clock: C, observe: @escaping @Sendable (_ containerName: String) async -> ProbedContainerState
    ) where C.Duration == Duration {
        let uid = pod.metadata?.uid ?? ""
        guard workers[uid] == nil else { return }
        var tasks: [Task<Void, Never>] = []
        let containers = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? []).filter { $0.restartPolicy == "Always" }
        for container in containers {
            let probes: [(ProbeKind, CoreV1.Probe?)] = [
                (.startup, container.startupProbe), (.liveness, container.livenessProbe), (.readiness, container.readinessProbe),
            ]
            for case (let kind, let probe?) in probes {
                let worker = ProbeWorker(
                    podUID: uid, container: container, kind: kind, probe: probe, prober: prober, results: results, clock: clock,
                    observe: { await observe(container.name) })
                tasks.append(Task { await worker.run() })
            }
        }
        workers[uid] = tasks
    }

    /// Stops the workers of the pod with this UID.
    public func removePod(uid: String) {
        for task in workers.removeValue(forKey: uid) ?? [] { task.cancel() }
    }

    /// The UIDs of the pods with running workers.
    public var probedPods: [String] { Array(workers.keys) }
}
