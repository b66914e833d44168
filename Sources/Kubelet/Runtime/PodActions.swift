import ContainerRuntime
import KubeAPI

/// What one sync of a pod must do to the runtime, decided from the spec and what the runtime has
/// (upstream's `podActions`, computed by `computePodActions` in `kuberuntime_manager.go`).
public struct PodActions: Sendable, Equatable {
    /// A container to stop, and why (for the log and the event).
    public struct ContainerToKill: Sendable, Equatable {
        public var id: String
        public var name: String
        public var reason: String

        public init(id: String, name: String, reason: String) {
            self.id = id
            self.name = name
            self.reason = reason
        }
    }

    /// Stop every container and the sandbox (the sandbox is being replaced, or the pod is done).
    public var killPod = false
    /// Make a new sandbox (then start containers in it).
    public var createSandbox = false
    /// The sandbox to use when `createSandbox` is false.
    public var sandboxID: String?
    /// The attempt number of the sandbox to create.
    public var attempt: UInt32 = 0
    /// Indices into `spec.initContainers` to start now, in order.
    public var initContainersToStart: [Int] = []
    /// Indices into `spec.containers` to start now.
    public var containersToStart: [Int] = []
    /// Containers to stop (and, if listed to start, to start again).
    public var containersToKill: [ContainerToKill] = []
    /// A regular init container failed under `restartPolicy: Never`: the pod has failed.
    public var initializationFailed = false

    public init() {}

    /// Decides the actions for `pod` given what the runtime has for it.
    ///
    /// - Parameters:
    ///   - livenessFailed: IDs of running containers whose liveness or startup probe failed.
    ///   - started: whether a running container counts as started (its startup probe passed);
    ///     sidecars must be started before the next init container runs.
    public static func compute(
        pod: CoreV1.Pod, status: RuntimePodStatus, livenessFailed: Set<String> = [],
        started: (RuntimeContainerStatus) -> Bool = { _ in true }
    ) -> PodActions {
        var actions = PodActions()
        let spec = pod.spec ?? CoreV1.PodSpec()
        let restartPolicy = spec.restartPolicy ?? "Always"
        let initContainers = spec.initContainers ?? []

        let (sandboxChanged, attempt, sandboxID) = sandboxChanges(pod: pod, status: status)
        actions.attempt = attempt
        actions.sandboxID = sandboxID
        if sandboxChanged {
            actions.killPod = true
            if restartPolicy == "Never" && attempt != 0 && !status.containers.isEmpty {
                // The pod ran once and must not run again: only clean up.
                return actions
            }
            actions.createSandbox = true
            if !initContainers.isEmpty {
                actions.initContainersToStart = [0]
                return actions
            }
            for (index, container) in spec.containers.enumerated() {
                if restartPolicy == "OnFailure", let latest = status.latest(container.name), latest.state == .exited, latest.exitCode == 0 { continue }
                if restartPolicy == "Never", status.latest(container.name) != nil { continue }
                actions.containersToStart.append(index)
            }
            // Nothing left to run: no sandbox for it (upstream does the same).
            if actions.containersToStart.isEmpty { actions.createSandbox = false }
            return actions
        }

        // Init containers, in order: regular ones to success, sidecars started and kept running.
        let previouslyInitialized = spec.containers.contains { status.latest($0.name) != nil }
        var initialized = true
        for (index, container) in initContainers.enumerated() {
            let isSidecar = container.restartPolicy == "Always"
            if previouslyInitialized && !isSidecar { continue }
            guard let latest = status.latest(container.name) else {
                actions.initContainersToStart.append(index)
                initialized = false
                break
            }
            switch latest.state {
            case .running:
                if isSidecar {
                    if livenessFailed.contains(latest.id) {
                        actions.containersToKill.append(ContainerToKill(id: latest.id, name: container.name, reason: "Container \(container.name) failed liveness probe, will be restarted"))
                        actions.initContainersToStart.append(index)
                    }
                    if !started(latest) {
                        initialized = false
                    }
                    if !initialized { break }
                    continue
                }
                initialized = false
            case .exited:
                if isSidecar {
                    actions.initContainersToStart.append(index)
                    if !previouslyInitialized { initialized = false }
                    continue
                }
                if latest.exitCode == 0 { continue }
                initialized = false
                if restartPolicy == "Never" {
                    actions.initializationFailed = true
                    actions.killPod = true
                    return actions
                }
                actions.initContainersToStart.append(index)
            case .created, .unknown:
                actions.containersToKill.append(ContainerToKill(id: latest.id, name: container.name, reason: "Init container \(container.name) is in an unknown state, will be restarted"))
                actions.initContainersToStart.append(index)
                initialized = false
            }
            if !initialized { break }
        }
        if !initialized { return actions }

        var keepCount = 0
        for (index, container) in spec.containers.enumerated() {
            guard let latest = status.latest(container.name) else {
                actions.containersToStart.append(index)
                continue
            }
            switch latest.state {
            case .running:
                var reason: String? = nil
                if latest.annotations[RuntimeLabels.containerHash] != RuntimeLabels.hash(of: container) {
                    reason = "Container \(container.name) definition changed"
                } else if livenessFailed.contains(latest.id) {
                    reason = "Container \(container.name) failed liveness probe"
                }
                guard let reason else {
                    keepCount += 1
                    continue
                }
                let restart = restartPolicy != "Never"
                actions.containersToKill.append(ContainerToKill(id: latest.id, name: container.name, reason: restart ? reason + ", will be restarted" : reason))
                if restart { actions.containersToStart.append(index) }
            case .exited:
                if restartPolicy == "Always" || (restartPolicy == "OnFailure" && latest.exitCode != 0) {
                    actions.containersToStart.append(index)
                }
            case .created, .unknown:
                actions.containersToKill.append(ContainerToKill(id: latest.id, name: container.name, reason: "Container \(container.name) is in an unknown state, will be restarted"))
                actions.containersToStart.append(index)
            }
        }
        if keepCount == 0 && actions.containersToStart.isEmpty {
            // Every regular container is done and none restarts: stop the sidecars and the sandbox.
            actions.killPod = true
        }
        return actions
    }

    /// Whether the pod needs a new sandbox, the attempt number, and the current sandbox's ID
    /// (upstream's `podSandboxChanged`).
    static func sandboxChanges(pod: CoreV1.Pod, status: RuntimePodStatus) -> (Bool, UInt32, String?) {
        guard let newest = status.sandboxes.first else { return (true, 0, nil) }
        let readyCount = status.sandboxes.filter { $0.state == .ready }.count
        let next = newest.metadata.attempt + 1
        if readyCount > 1 { return (true, next, newest.id) }
        if newest.state != .ready { return (true, next, newest.id) }
        if pod.spec?.hostNetwork != true, newest.ip.isEmpty { return (true, next, newest.id) }
        return (false, newest.metadata.attempt, newest.id)
    }
}
