import ContainerRuntime
import KubeAPI

/// Computes a pod's API status from its spec, what the runtime has, and the last sync's errors,
/// as upstream's `generateAPIPodStatus`, `convertToAPIContainerStatuses`, `getPhase` and
/// `status/generate.go` do.
public struct PodStatusGenerator: Sendable {
    /// The node's addresses (`status.hostIP(s)`).
    public var hostIPs: [String]

    public init(hostIPs: [String] = []) {
        self.hostIPs = hostIPs
    }

    /// Readiness and startup results from the probe workers, by container ID; a running container
    /// without a readiness probe is ready, one without a startup probe is started.
    public struct ProbeStates: Sendable, Equatable {
        public var ready: [String: Bool]
        public var started: [String: Bool]

        public init(ready: [String: Bool] = [:], started: [String: Bool] = [:]) {
            self.ready = ready
            self.started = started
        }
    }

    /// The status of `pod`.
    ///
    /// - Parameters:
    ///   - previous: the status last generated, for `startTime` and condition transition times.
    ///   - now: the time to stamp on transitions.
    public func generate(
        pod: CoreV1.Pod, runtime: RuntimePodStatus, sync: PodSyncResult, probes: ProbeStates = ProbeStates(),
        previous: CoreV1.PodStatus?, now: MetaV1.Time
    ) -> CoreV1.PodStatus {
        let spec = pod.spec ?? CoreV1.PodSpec()
        var status = CoreV1.PodStatus()
        let initContainers = spec.initContainers ?? []
        let initStatuses = initContainers.map { container in
            containerStatus(container, pod: pod, runtime: runtime, sync: sync, probes: probes, isInit: true, defaultReason: "PodInitializing")
        }
        let initDone = Self.initialized(spec: spec, statuses: initStatuses, runtime: runtime)
        let mainStatuses = spec.containers.map { container in
            containerStatus(container, pod: pod, runtime: runtime, sync: sync, probes: probes, isInit: false,
                defaultReason: initContainers.isEmpty || initDone ? "ContainerCreating" : "PodInitializing")
        }
        if !initStatuses.isEmpty { status.initContainerStatuses = initStatuses }
        status.containerStatuses = mainStatuses
        let phase = Self.phase(spec: spec, initStatuses: initStatuses, statuses: mainStatuses, initializationFailed: sync.initializationFailed, previous: previous?.phase)
        status.phase = phase

        let ips = runtime.ips
        if let first = ips.first {
            status.podIP = first
            status.podIPs = ips.map { CoreV1.PodIP(ip: $0) }
        } else if spec.hostNetwork == true, let host = hostIPs.first {
            status.podIP = host
            status.podIPs = hostIPs.map { CoreV1.PodIP(ip: $0) }
        }
        if let host = hostIPs.first {
            status.hostIP = host
            status.hostIPs = hostIPs.map { CoreV1.HostIP(ip: $0) }
        }
        status.startTime = previous?.startTime ?? now
        status.qosClass = QOSClass(pod: pod).rawValue

        // Conditions, in upstream's order.
        let sandboxReady = runtime.sandboxes.first.map { $0.state == .ready && (spec.hostNetwork == true || !$0.ip.isEmpty) } ?? false
        var conditions: [CoreV1.PodCondition] = []
        conditions.append(condition("PodReadyToStartContainers", sandboxReady, previous: previous, now: now))
        let incompleteInit = zip(initContainers, initStatuses).filter { container, status in
            if container.restartPolicy == "Always" { return status.started != true }
            return !(status.state?.terminated?.exitCode == 0 && status.state?.terminated != nil)
        }.map(\.0.name)
        if initDone || incompleteInit.isEmpty || phase == "Succeeded" {
            conditions.append(condition("Initialized", true, reason: phase == "Succeeded" && !initDone ? "PodCompleted" : nil, previous: previous, now: now))
        } else {
            conditions.append(condition("Initialized", false, reason: "ContainersNotInitialized",
                message: "containers with incomplete status: [\(incompleteInit.joined(separator: " "))]", previous: previous, now: now))
        }
        let (readyStatus, readyReason, readyMessage) = Self.readiness(spec: spec, initStatuses: initStatuses, statuses: mainStatuses, phase: phase)
        conditions.append(condition("ContainersReady", readyStatus, reason: readyReason, message: readyMessage, previous: previous, now: now))
        conditions.append(condition("Ready", readyStatus, reason: readyReason, message: readyMessage, previous: previous, now: now))
        status.conditions = conditions
        if let message = sync.sandboxError, runtime.sandboxes.isEmpty {
            status.message = message
        }
        return status
    }

    // MARK: Containers

    private func containerStatus(
        _ container: CoreV1.Container, pod: CoreV1.Pod, runtime: RuntimePodStatus, sync: PodSyncResult, probes: ProbeStates,
        isInit: Bool, defaultReason: String
    ) -> CoreV1.ContainerStatus {
        let latest = runtime.latest(container.name)
        let previous = runtime.previous(container.name)
        var result = CoreV1.ContainerStatus(
            image: container.image ?? "", imageID: "", name: container.name, ready: false,
            restartCount: latest.map { Int32($0.annotations[RuntimeLabels.restartCount] ?? "") ?? Int32($0.metadata.attempt) } ?? 0)
        let isSidecar = isInit && container.restartPolicy == "Always"
        if let latest {
            result.containerID = "\(Self.runtimeScheme)://\(latest.id)"
            result.imageID = latest.imageRef
            result.state = Self.state(of: latest)
            switch latest.state {
            case .running:
                let started = probes.started[latest.id] ?? true
                result.started = started
                if !isInit || isSidecar {
                    result.ready = started && (probes.ready[latest.id] ?? (container.readinessProbe == nil))
                }
            case .exited, .created, .unknown:
                result.started = false
                if latest.state == .exited, isInit, !isSidecar, latest.exitCode == 0 { result.ready = true }
            }
            if let previous {
                result.lastState = Self.state(of: previous)
            } else if latest.state != .running, latest.state == .exited, sync.containerErrors[container.name] != nil {
                result.lastState = Self.state(of: latest)
            }
        } else {
            result.started = false
        }
        // A container waiting to be (re)started shows why: the sync error, or the default.
        if let error = sync.containerErrors[container.name] {
            if let latest, latest.state == .exited {
                result.lastState = Self.state(of: latest)
            }
            result.state = CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(message: error.message, reason: error.reason))
        } else if latest == nil {
            result.state = CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(reason: defaultReason))
        }
        return result
    }

    /// The prefix of `containerID` (upstream writes the runtime's name, e.g. `containerd://`).
    public static let runtimeScheme = "swiftlet"

    static func state(of status: RuntimeContainerStatus) -> CoreV1.ContainerState {
        switch status.state {
        case .running:
            return CoreV1.ContainerState(running: CoreV1.ContainerStateRunning(startedAt: time(status.startedAt)))
        case .exited:
            var reason = status.reason
            if reason.isEmpty { reason = status.exitCode == 0 ? "Completed" : "Error" }
            return CoreV1.ContainerState(terminated: CoreV1.ContainerStateTerminated(
                containerID: "\(runtimeScheme)://\(status.id)", exitCode: status.exitCode, finishedAt: time(status.finishedAt),
                message: status.message.isEmpty ? nil : status.message, reason: reason,
                signal: nil, startedAt: time(status.startedAt)))
        case .created:
            return CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(reason: "ContainerCreating"))
        case .unknown:
            return CoreV1.ContainerState(terminated: CoreV1.ContainerStateTerminated(
                containerID: "\(runtimeScheme)://\(status.id)", exitCode: 137, reason: "ContainerStatusUnknown"))
        }
    }

    static func time(_ nanoseconds: Int64) -> MetaV1.Time? {
        guard nanoseconds > 0 else { return nil }
        return MetaV1.Time(secondsSinceEpoch: nanoseconds / 1_000_000_000)
    }

    // MARK: Phase and conditions

    /// Whether every regular init container succeeded and every sidecar has started.
    static func initialized(spec: CoreV1.PodSpec, statuses: [CoreV1.ContainerStatus], runtime: RuntimePodStatus) -> Bool {
        if spec.containers.contains(where: { runtime.latest($0.name) != nil }) { return true }
        for (container, status) in zip(spec.initContainers ?? [], statuses) {
            if container.restartPolicy == "Always" {
                if status.started != true { return false }
            } else if status.state?.terminated?.exitCode != 0 || status.state?.terminated == nil {
                // A waiting state with an earlier success still counts as done.
                if status.lastState?.terminated?.exitCode == 0, status.state?.waiting != nil, status.restartCount > 0 { continue }
                return false
            }
        }
        return true
    }

    /// The pod's phase (upstream's `getPhase`).
    static func phase(
        spec: CoreV1.PodSpec, initStatuses: [CoreV1.ContainerStatus], statuses: [CoreV1.ContainerStatus], initializationFailed: Bool,
        previous: String?
    ) -> String {
        let restartPolicy = spec.restartPolicy ?? "Always"
        var pendingInitialization = 0
        var failedInitialization = 0
        for (container, status) in zip(spec.initContainers ?? [], initStatuses) where container.restartPolicy != "Always" {
            if let terminated = status.state?.terminated {
                if terminated.exitCode != 0 { failedInitialization += 1 }
                continue
            }
            if status.state?.running != nil { pendingInitialization += 1; continue }
            if let last = status.lastState?.terminated, last.exitCode != 0 { failedInitialization += 1; continue }
            pendingInitialization += 1
        }
        if initializationFailed || (failedInitialization > 0 && restartPolicy == "Never") { return "Failed" }
        var unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0
        for status in statuses {
            if status.state?.running != nil {
                running += 1
            } else if let terminated = status.state?.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if status.state?.waiting != nil {
                if let last = status.lastState?.terminated {
                    stopped += 1
                    if last.exitCode == 0 { succeeded += 1 }
                } else {
                    waiting += 1
                }
            } else {
                unknown += 1
            }
        }
        let everyMainHasStatus = statuses.allSatisfy { $0.containerID != nil }
        if (failedInitialization > 0 || pendingInitialization > 0) && !everyMainHasStatus { return "Pending" }
        if waiting > 0 { return "Pending" }
        if running > 0 && unknown == 0 { return "Running" }
        if running == 0 && stopped > 0 && unknown == 0 {
            if restartPolicy == "Always" { return "Running" }
            if stopped == succeeded { return "Succeeded" }
            if restartPolicy == "Never" { return "Failed" }
            return "Running"
        }
        return "Pending"
    }

    /// ContainersReady / Ready: status, reason and message (upstream's `GenerateContainersReadyCondition`).
    static func readiness(
        spec: CoreV1.PodSpec, initStatuses: [CoreV1.ContainerStatus], statuses: [CoreV1.ContainerStatus], phase: String
    ) -> (Bool, String?, String?) {
        var unready: [String] = []
        for (container, status) in zip(spec.initContainers ?? [], initStatuses) where container.restartPolicy == "Always" {
            if !status.ready { unready.append(container.name) }
        }
        for status in statuses where !status.ready { unready.append(status.name) }
        if phase == "Succeeded" { return (false, "PodCompleted", nil) }
        if unready.isEmpty { return (true, nil, nil) }
        return (false, "ContainersNotReady", "containers with unready status: [\(unready.joined(separator: " "))]")
    }

    private func condition(
        _ type: String, _ value: Bool, reason: String? = nil, message: String? = nil, previous: CoreV1.PodStatus?, now: MetaV1.Time
    ) -> CoreV1.PodCondition {
        let status = value ? "True" : "False"
        let old = previous?.conditions?.first { $0.type == type }
        let transition = old?.status == status ? (old?.lastTransitionTime ?? now) : now
        return CoreV1.PodCondition(lastTransitionTime: transition, message: message, reason: reason, status: status, type: type)
    }
}
