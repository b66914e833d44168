import ContainerRuntime
import Foundation
import KubeAPI
import Logging

/// Turns pod specs into runtime calls (upstream's `kubeGenericRuntimeManager`): reads what the
/// runtime has for a pod, applies `PodActions`, starts containers with image pull policy and
/// back-off, and stops pods gracefully.
public struct RuntimeManager: Sendable {
    /// Where things live on the node.
    public struct Settings: Sendable {
        /// Root of the pod log directories (`/var/log/pods`).
        public var podLogsRoot: String
        /// Root of the per-pod state, holding termination message files (`/var/lib/swiftlet/pods`).
        public var podsDirectory: String
        /// The runtime handler for sandboxes (`runtimeClassName`'s handler; empty: default).
        public var runtimeHandler: String
        /// Sets up the pods' volumes; nil: pods with volumes cannot start (tests without a state
        /// directory).
        public var volumes: VolumeManager?
        /// The node's memory, for `oom_score_adj` of Burstable containers.
        public var memoryCapacity: Int64
        /// Where pod cgroups go (`kubepods/<qos>/pod<uid>`); nil: the runtime's default parent.
        public var cgroups: CgroupHierarchy?

        public init(
            podLogsRoot: String = "/var/log/pods", podsDirectory: String = "/var/lib/swiftlet/pods", runtimeHandler: String = "",
            volumes: VolumeManager? = nil, memoryCapacity: Int64 = Settings.physicalMemory(), cgroups: CgroupHierarchy? = nil
        ) {
            self.podLogsRoot = podLogsRoot
            self.podsDirectory = podsDirectory
            self.runtimeHandler = runtimeHandler
            self.volumes = volumes
            self.memoryCapacity = memoryCapacity
            self.cgroups = cgroups
        }

        /// The machine's physical memory in bytes.
        public static func physicalMemory() -> Int64 {
            Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
        }
    }

    /// Upstream's limits for termination messages (`kubecontainer` constants).
    static let maxTerminationMessageBytes = 4096
    static let maxTerminationMessageLogBytes = 2048
    static let maxTerminationMessageLogLines = 80
    /// Upstream's `minimumGracePeriodInSeconds`.
    static let minimumGracePeriod: Int64 = 2

    public let runtime: any ContainerRuntime
    public let settings: Settings
    public let clock: any KubeletClock
    /// Crash-loop back-off, keyed by pod and container (`name_namespace_uid_container_hash`).
    public let crashBackoff: Backoff
    /// Image pull back-off, keyed by pod UID and image.
    public let imageBackoff: Backoff
    /// Runs postStart and preStop hooks.
    public let hooks: HookRunner
    /// Where ConfigMaps and Secrets referenced by env come from.
    public let objects: @Sendable () async -> any ConfigObjectLookup
    /// Where the containers' lifecycle events go (Pulling, Pulled, Created, Started, Killing, …).
    public let events: EventRecorder?
    let logger: Logger

    public init(
        runtime: any ContainerRuntime, settings: Settings = Settings(), clock: any KubeletClock = SystemKubeletClock(),
        objects: @escaping @Sendable () async -> any ConfigObjectLookup = { StaticConfigObjects() },
        events: EventRecorder? = nil,
        logger: Logger = Logger(label: "swiftlet.kubelet.runtime")
    ) {
        self.events = events
        self.runtime = runtime
        self.settings = settings
        self.clock = clock
        self.crashBackoff = Backoff(clock: clock)
        self.imageBackoff = Backoff(clock: clock)
        self.objects = objects
        self.hooks = HookRunner(runtime: runtime)
        self.logger = logger
    }

    // MARK: Reading

    /// What the runtime has for the pod with this UID, newest first, with termination messages.
    ///
    /// - Throws: the runtime's error.
    public func podStatus(uid: String, name: String, namespace: String) async throws -> RuntimePodStatus {
        let sandboxes = try await runtime.listPodSandboxes(filter: PodSandboxFilter(labelSelector: [RuntimeLabels.podUID: uid]))
        var sandboxStatuses: [PodSandboxStatus] = []
        for sandbox in sandboxes.sorted(by: { $0.createdAt > $1.createdAt }) {
            if let status = try? await runtime.podSandboxStatus(id: sandbox.id) { sandboxStatuses.append(status) }
        }
        let containers = try await runtime.listContainers(filter: ContainerFilter(labelSelector: [RuntimeLabels.podUID: uid]))
        var statuses: [RuntimeContainerStatus] = []
        for container in containers.sorted(by: { $0.createdAt > $1.createdAt }) {
            guard var status = try? await runtime.containerStatus(id: container.id) else { continue }
            if status.state == .exited { status.message = terminationMessage(of: status) }
            statuses.append(status)
        }
        return RuntimePodStatus(uid: uid, name: name, namespace: namespace, sandboxes: sandboxStatuses, containers: statuses)
    }

    /// Every pod the runtime has sandboxes or containers for, by UID (for adoption and cleanup).
    ///
    /// - Throws: the runtime's error.
    public func runtimePods() async throws -> [String: (name: String, namespace: String)] {
        var pods: [String: (name: String, namespace: String)] = [:]
        for sandbox in try await runtime.listPodSandboxes(filter: PodSandboxFilter()) {
            guard let uid = sandbox.labels[RuntimeLabels.podUID] else { continue }
            pods[uid] = (sandbox.metadata.name, sandbox.metadata.namespace)
        }
        for container in try await runtime.listContainers(filter: ContainerFilter()) {
            guard let uid = container.labels[RuntimeLabels.podUID], pods[uid] == nil else { continue }
            pods[uid] = (container.labels[RuntimeLabels.podName] ?? "", container.labels[RuntimeLabels.podNamespace] ?? "")
        }
        return pods
    }

    // MARK: Syncing

    /// Brings the runtime in line with the pod's spec: one pass of `PodActions`.
    ///
    /// - Parameters:
    ///   - livenessFailed: running containers whose liveness or startup probe failed.
    ///   - started: whether a running container's startup probe has passed.
    public func syncPod(
        _ pod: CoreV1.Pod, status: RuntimePodStatus, livenessFailed: Set<String> = [],
        started: (RuntimeContainerStatus) -> Bool = { _ in true }
    ) async -> PodSyncResult {
        var result = PodSyncResult()
        let actions = PodActions.compute(pod: pod, status: status, livenessFailed: livenessFailed, started: started)
        let podName = "\(status.namespace)/\(status.name)"
        result.initializationFailed = actions.initializationFailed

        if actions.killPod {
            // A new pod has nothing to stop yet: upstream's killPod is then a no-op, and so is the log.
            if !status.sandboxes.isEmpty || !status.containers.isEmpty {
                logger.info("stopping pod sandbox", metadata: ["pod": "\(podName)", "createSandbox": "\(actions.createSandbox)"])
                await killPod(pod, status: status, gracePeriod: nil)
            }
            if !actions.createSandbox { return result }
        }
        for kill in actions.containersToKill {
            logger.info("stopping container", metadata: ["pod": "\(podName)", "container": "\(kill.name)", "reason": "\(kill.reason)"])
            await killContainer(pod, id: kill.id, name: kill.name, gracePeriod: nil)
        }

        let sandboxConfig = makeSandboxConfig(pod, attempt: actions.attempt)
        var sandboxID = actions.sandboxID ?? ""
        var podIPs = status.ips
        if actions.createSandbox {
            do {
                // The pod's log directory is the kubelet's to make, before the sandbox, as upstream does.
                try FileManager.default.createDirectory(atPath: sandboxConfig.logDirectory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
                sandboxID = try await runtime.runPodSandbox(sandboxConfig, runtimeHandler: settings.runtimeHandler)
                let sandboxStatus = try await runtime.podSandboxStatus(id: sandboxID)
                podIPs = sandboxStatus.ip.isEmpty ? [] : [sandboxStatus.ip] + sandboxStatus.additionalIPs
                logger.info("started pod sandbox", metadata: ["pod": "\(podName)", "sandbox": "\(sandboxID)"])
            } catch {
                result.sandboxError = "Failed to create pod sandbox: \(error)"
                logger.error("cannot create pod sandbox", metadata: ["pod": "\(podName)", "error": "\(error)"])
                return result
            }
        }

        let spec = pod.spec ?? CoreV1.PodSpec()
        let initContainers = spec.initContainers ?? []
        var volumes = PodVolumes()
        if !actions.initContainersToStart.isEmpty || !actions.containersToStart.isEmpty {
            switch await setUpVolumes(pod, podIPs: podIPs) {
            case .success(let prepared): volumes = prepared
            case .failure(let error):
                result.volumeError = error.message
                result.requeue(after: .seconds(2))
                logger.warning("volumes not ready, containers wait", metadata: ["pod": "\(podName)", "error": "\(error.message)"])
                return result
            }
        }
        let freshStatus = actions.createSandbox ? RuntimePodStatus(uid: status.uid, name: status.name, namespace: status.namespace) : status
        for index in actions.initContainersToStart {
            let container = initContainers[index]
            let outcome = await start(
                container, pod: pod, status: status, countFrom: freshStatus, sandboxID: sandboxID, sandboxConfig: sandboxConfig,
                podIPs: podIPs, volumes: volumes)
            if case .failure(let error) = outcome {
                result.containerErrors[container.name] = error.error
                if let delay = error.retryAfter { result.requeue(after: delay) }
                if container.restartPolicy != "Always" { break }
            }
        }
        for index in actions.containersToStart {
            let container = spec.containers[index]
            let outcome = await start(
                container, pod: pod, status: status, countFrom: freshStatus, sandboxID: sandboxID, sandboxConfig: sandboxConfig,
                podIPs: podIPs, volumes: volumes)
            if case .failure(let error) = outcome {
                result.containerErrors[container.name] = error.error
                if let delay = error.retryAfter { result.requeue(after: delay) }
            }
        }
        await removeDeadContainers(status)
        return result
    }

    struct StartFailure: Error {
        var error: ContainerSyncError
        var retryAfter: Duration?
    }

    /// Starts one container (upstream's `startContainer` with `doBackOff` before it).
    private func start(
        _ container: CoreV1.Container, pod: CoreV1.Pod, status: RuntimePodStatus, countFrom: RuntimePodStatus, sandboxID: String,
        sandboxConfig: PodSandboxConfig, podIPs: [String], volumes: PodVolumes
    ) async -> Result<String, StartFailure> {
        let podName = "\(status.namespace)/\(status.name)"
        let uid = status.uid
        // Crash-loop back-off, counted from when the last instance finished.
        if let last = status.latest(container.name), last.state == .exited {
            let key = backoffKey(pod, container)
            if crashBackoff.isInBackoff(key, since: last.finishedAt) {
                let delay = crashBackoff.delay(of: key) ?? Backoff.containerInitial
                let message = "back-off \(Self.format(delay)) restarting failed container=\(container.name) pod=\(status.name)_\(status.namespace)(\(uid))"
                return .failure(StartFailure(
                    error: ContainerSyncError(reason: ContainerSyncError.crashLoopBackOff, message: message),
                    retryAfter: crashBackoff.remaining(key, since: last.finishedAt)))
            }
            crashBackoff.next(key, eventTime: last.finishedAt)
        }

        let imageRef: String
        switch await ensureImage(container, pod: pod, sandboxConfig: sandboxConfig) {
        case .success(let reference): imageRef = reference
        case .failure(let failure):
            logger.warning("image not available", metadata: ["pod": "\(podName)", "container": "\(container.name)", "reason": "\(failure.error.reason)", "message": "\(failure.error.message)"])
            return .failure(failure)
        }

        let previous = countFrom.latest(container.name)
        let restartCount = previous.map { (UInt32($0.annotations[RuntimeLabels.restartCount] ?? "") ?? $0.metadata.attempt) + 1 } ?? 0
        let config: ContainerConfig
        do {
            config = try await makeContainerConfig(
                container, pod: pod, restartCount: restartCount, imageRef: imageRef, podIPs: podIPs, volumes: volumes)
        } catch {
            return .failure(StartFailure(error: ContainerSyncError(reason: ContainerSyncError.createContainerConfigError, message: "\(error)")))
        }
        let id: String
        do {
            id = try await runtime.createContainer(podSandboxID: sandboxID, config: config, sandboxConfig: sandboxConfig)
        } catch {
            await record(.warning, "Failed", pod, "Error: \(error)")
            return .failure(StartFailure(error: ContainerSyncError(reason: ContainerSyncError.createContainerError, message: "\(error)")))
        }
        await record(.normal, "Created", pod, "Created container: \(container.name)")
        do {
            try await runtime.startContainer(id: id)
        } catch {
            await record(.warning, "Failed", pod, "Error: \(error)")
            return .failure(StartFailure(error: ContainerSyncError(reason: ContainerSyncError.runContainerError, message: "failed to start container \(id): \(error)")))
        }
        await record(.normal, "Started", pod, "Started container \(container.name)")
        logger.info("started container", metadata: ["pod": "\(podName)", "container": "\(container.name)", "id": "\(id)", "restartCount": "\(restartCount)"])
        if container.lifecycle?.postStart != nil {
            do {
                try await hooks.run(.postStart, pod: pod, container: container, containerID: id, podIP: podIPs.first ?? "")
            } catch {
                logger.warning("postStart hook failed, stopping the container", metadata: ["pod": "\(podName)", "container": "\(container.name)", "error": "\(error.message)"])
                // Not the hook's output: it may hold secrets.
                await record(.warning, "FailedPostStartHook", pod, "PostStartHook failed")
                await killContainer(pod, id: id, name: container.name, gracePeriod: nil, runPreStop: false)
                return .failure(StartFailure(error: ContainerSyncError(reason: ContainerSyncError.postStartHookError, message: error.message)))
            }
        }
        return .success(id)
    }

    struct VolumeSetUpFailure: Error {
        var message: String
    }

    /// Sets up (or refreshes) the pod's volumes (upstream's `WaitForAttachAndMount`).
    private func setUpVolumes(_ pod: CoreV1.Pod, podIPs: [String]) async -> Result<PodVolumes, VolumeSetUpFailure> {
        guard !(pod.spec?.volumes ?? []).isEmpty else { return .success(PodVolumes()) }
        guard let manager = settings.volumes else {
            return .failure(VolumeSetUpFailure(message: "volumes are not supported: the kubelet has no volume directory"))
        }
        let referenced = await ReferencedObjects.fetch(for: pod, from: await objects())
        let volumes = manager.setUp(pod: pod, objects: referenced, fields: PodFieldValues(pod: pod, podIPs: podIPs))
        return volumes.isComplete ? .success(volumes) : .failure(VolumeSetUpFailure(message: volumes.failureMessage))
    }

    /// Pulls the image as the pull policy says (upstream's `EnsureImageExists`).
    private func ensureImage(_ container: CoreV1.Container, pod: CoreV1.Pod, sandboxConfig: PodSandboxConfig) async -> Result<String, StartFailure> {
        let image = container.image ?? ""
        guard !image.isEmpty else {
            return .failure(StartFailure(error: ContainerSyncError(reason: ContainerSyncError.invalidImageName, message: "Failed to apply default image tag \"\": couldn't parse image name \"\": invalid reference format")))
        }
        let policy = container.imagePullPolicy ?? Self.defaultPullPolicy(image)
        let spec = ImageSpec(image)
        let present = try? await runtime.imageStatus(spec)
        if let present, policy != "Always" {
            await record(.normal, "Pulled", pod, "Container image \"\(image)\" already present on machine")
            return .success(present.id)
        }
        if policy == "Never" {
            let message = "Container image \"\(image)\" is not present with pull policy of Never"
            await record(.warning, "ErrImageNeverPull", pod, message)
            return .failure(StartFailure(error: ContainerSyncError(reason: ContainerSyncError.errImageNeverPull, message: message)))
        }
        let key = "\(pod.metadata?.uid ?? "")_\(image)"
        let now = clock.nowNanoseconds()
        if let remaining = imageBackoff.remainingSinceUpdate(key, now: now) {
            await record(.normal, "BackOff", pod, "Back-off pulling image \"\(image)\"")
            return .failure(StartFailure(
                error: ContainerSyncError(reason: ContainerSyncError.imagePullBackOff, message: "Back-off pulling image \"\(image)\""),
                retryAfter: remaining))
        }
        await record(.normal, "Pulling", pod, "Pulling image \"\(image)\"")
        let started = ContinuousClock.now
        do {
            let reference = try await runtime.pullImage(spec, auth: nil, sandboxConfig: sandboxConfig)
            let took = ContinuousClock.now - started
            let size = (try? await runtime.imageStatus(spec))?.size
            await record(.normal, "Pulled", pod,
                "Successfully pulled image \"\(image)\" in \(took.goText) (\(took.goText) including waiting)"
                    + (size.map { ". Image size: \($0) bytes." } ?? ""))
            return .success(reference)
        } catch {
            await record(.warning, "Failed", pod, "Failed to pull image \"\(image)\": \(error)")
            imageBackoff.next(key, eventTime: now)
            return .failure(StartFailure(
                error: ContainerSyncError(reason: ContainerSyncError.errImagePull, message: "\(error)"),
                retryAfter: imageBackoff.delay(of: key)))
        }
    }

    /// Hands a lifecycle event about the pod `namespace/name` to the recorder.
    private func record(_ kind: KubeletEvent.Kind, _ reason: String, _ pod: CoreV1.Pod, _ message: String) async {
        await events?.record(KubeletEvent(
            kind: kind, reason: reason, object: PodConfig.fullName(pod), message: message, uid: pod.metadata?.uid))
    }

    /// `Always` for an untagged or `:latest` image, else `IfNotPresent` (upstream's defaulting).
    static func defaultPullPolicy(_ image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    func backoffKey(_ pod: CoreV1.Pod, _ container: CoreV1.Container) -> String {
        "\(pod.metadata?.uid ?? "")_\(pod.metadata?.name ?? "")_\(pod.metadata?.namespace ?? "")_\(container.name)_\(RuntimeLabels.hash(of: container))"
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }

    // MARK: Stopping

    /// Stops the pod: regular containers together, then sidecars in reverse order, then every
    /// sandbox. `gracePeriod` nil: the pod's own (`terminationGracePeriodSeconds`, default 30).
    public func killPod(_ pod: CoreV1.Pod?, status: RuntimePodStatus, gracePeriod: Int64?) async {
        let sidecarNames = Set((pod?.spec?.initContainers ?? []).filter { $0.restartPolicy == "Always" }.map(\.name))
        let running = status.containers.filter { $0.state == .running || $0.state == .created }
        let regular = running.filter { !sidecarNames.contains($0.metadata.name) }
        await withTaskGroup(of: Void.self) { group in
            for container in regular {
                group.addTask { await killContainer(pod, id: container.id, name: container.metadata.name, gracePeriod: gracePeriod) }
            }
        }
        let order = (pod?.spec?.initContainers ?? []).map(\.name).reversed()
        for name in order {
            for container in running where container.metadata.name == name && sidecarNames.contains(name) {
                await killContainer(pod, id: container.id, name: name, gracePeriod: gracePeriod)
            }
        }
        for sandbox in status.sandboxes {
            do {
                try await runtime.stopPodSandbox(id: sandbox.id)
            } catch {
                logger.error("cannot stop pod sandbox", metadata: ["pod": "\(status.namespace)/\(status.name)", "sandbox": "\(sandbox.id)", "error": "\(error)"])
            }
        }
    }

    /// Stops one container within the grace period (at least 2 s, as upstream): its preStop hook
    /// first, with the grace period as deadline, then the stop signal with what is left of it.
    func killContainer(_ pod: CoreV1.Pod?, id: String, name: String, gracePeriod: Int64?, runPreStop: Bool = true) async {
        var grace = max(gracePeriod ?? pod?.metadata?.deletionGracePeriodSeconds ?? pod?.spec?.terminationGracePeriodSeconds ?? 30, Self.minimumGracePeriod)
        let containers = (pod?.spec?.containers ?? []) + (pod?.spec?.initContainers ?? [])
        if runPreStop, let pod, let container = containers.first(where: { $0.name == name }), container.lifecycle?.preStop != nil,
            (try? await runtime.containerStatus(id: id))?.state == .running
        {
            let clock = ContinuousClock()
            let start = clock.now
            let podIP = (try? await runtime.listPodSandboxes(filter: PodSandboxFilter(labelSelector: [RuntimeLabels.podUID: pod.metadata?.uid ?? ""])))
                .flatMap { $0.first }.map(\.id)
            var ip = ""
            if let podIP, let sandbox = try? await runtime.podSandboxStatus(id: podIP) { ip = sandbox.ip }
            do {
                try await hooks.run(.preStop, pod: pod, container: container, containerID: id, podIP: ip, deadline: .seconds(grace))
            } catch {
                logger.warning("preStop hook failed", metadata: ["container": "\(name)", "id": "\(id)", "error": "\(error.message)"])
            }
            let spent = (clock.now - start).components.seconds
            grace = max(grace - spent, Self.minimumGracePeriod)
        }
        do {
            try await runtime.stopContainer(id: id, timeout: grace)
        } catch {
            logger.error("cannot stop container", metadata: ["container": "\(name)", "id": "\(id)", "error": "\(error)"])
        }
    }

    /// Removes every sandbox and container of the pod (after it has stopped).
    /// Its log directory goes too once nothing of it is left in the runtime (upstream's container
    /// GC removes the log directories of deleted pods).
    public func removePod(status: RuntimePodStatus) async {
        var removedAll = true
        for container in status.containers {
            do { try await runtime.removeContainer(id: container.id) } catch { removedAll = false }
        }
        for sandbox in status.sandboxes {
            do { try await runtime.removePodSandbox(id: sandbox.id) } catch { removedAll = false }
        }
        if let volumes = settings.volumes {
            do {
                try volumes.tearDown(uid: status.uid)
            } catch {
                logger.error("cannot remove the pod's volumes", metadata: ["pod": "\(status.namespace)/\(status.name)", "error": "\(error)"])
            }
        }
        crashBackoff.forget(prefix: status.uid + "_")
        imageBackoff.forget(prefix: status.uid + "_")
        try? FileManager.default.removeItem(atPath: "\(settings.podsDirectory)/\(status.uid)")
        if removedAll {
            let logs = PodSandboxMetadata(name: status.name, uid: status.uid, namespace: status.namespace).logDirectory(root: settings.podLogsRoot)
            try? FileManager.default.removeItem(atPath: logs)
        }
    }

    /// Keeps the two newest instances of each container (current and previous, for `lastState`)
    /// and removes older exited ones, and exited containers of sandboxes that are gone.
    private func removeDeadContainers(_ status: RuntimePodStatus) async {
        var seen: [String: Int] = [:]
        for container in status.containers {
            seen[container.metadata.name, default: 0] += 1
            if seen[container.metadata.name]! > 2, container.state == .exited {
                try? await runtime.removeContainer(id: container.id)
            }
        }
    }
}
