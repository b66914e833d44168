// Kubelet: the node agent's pod machinery, shaped as upstream's kubelet structures it.
//
// Owns the pod sources (manifest directory with inotify, manifest URL) and `PodConfig`, which
// merges them; one `PodWorker` per pod with serialised updates through the sync, terminating and
// terminated phases; the `RuntimeManager` that turns a pod spec into sandbox and container calls
// (`PodActions`, crash-loop back-off); the pod lifecycle event generator fed by the runtime's
// event stream; and pod status as upstream computes it. H11's Environment, Probes, Volumes and
// Resources live beside it.
//
// It must not know about any runtime backend, about the API server's transport, or about the
// agent's configuration files: it is handed a `ContainerRuntime`, sources and plain settings.

import ContainerRuntime
import KubeAPI
import Logging
import ServiceLifecycle

/// The kubelet core as one service: pod sources → `PodConfig` → `PodWorkers` (through the
/// `RuntimeManager`), with the PLEG waking the workers on runtime events.
///
/// On start nothing is restarted: each pod's worker compares the spec with what the runtime
/// already runs (found by the pod UID label) and keeps containers whose spec hash matches. Once
/// every source has delivered, pods the runtime runs that no source wants are stopped and removed.
public actor Kubelet: Service {
    public nonisolated let settings: KubeletSettings
    public nonisolated let manager: RuntimeManager
    /// The pods' latest statuses.
    public nonisolated let statuses: PodStatusStore
    /// Bad manifests, back-offs, kills.
    public nonisolated let events: EventRecorder
    public nonisolated let config: PodConfig
    public nonisolated let workers: PodWorkers
    private let sources: [any PodSource]
    private let pleg: PodLifecycleEventGenerator
    let logger: Logger
    /// The desired pods, by UID.
    var desired: [String: CoreV1.Pod] = [:]
    private var reportedIssues: Set<ManifestIssue> = []
    var serviceSubscribers: [Int: AsyncStream<LocalServiceState>.Continuation] = [:]
    var nextServiceSubscriber = 0
    var lastServiceState: LocalServiceState?

    /// The probe workers (readiness, liveness, startup) of every pod.
    public nonisolated let probes: ProbeManager
    /// Writes pod status to the API server (nil when standalone).
    public nonisolated let statusManager: PodStatusManager?
    /// Keeps static pods' mirror pods (nil when standalone).
    public nonisolated let mirrorManager: MirrorPodManager?
    /// The mirror pods the API server holds for this node.
    public nonisolated let mirrorPods: MirrorPodRegistry
    private let apiSyncPeriod: Duration
    /// ConfigMaps and Secrets fetched and watched for the node's pods (API mode).
    public nonisolated let apiObjects: APIConfigObjects?
    /// Service-account tokens for projected volumes (API mode).
    public nonisolated let tokenManager: ServiceAccountTokenManager?
    private let objectChanges: AsyncStream<Void>
    /// Pods refused by admission, by UID: never started, status Failed.
    var rejected: Set<String> = []

    /// A kubelet running the pods of `sources` on `runtime`.
    ///
    /// - Parameters:
    ///   - objects: where ConfigMaps and Secrets are found; by default those of the sources
    ///     (the manifest directory in standalone use).
    ///   - api: the seams to the API server; with them the pods bound to the node run as one
    ///     more source (`api`), their status is written back, deleted pods are removed and
    ///     static pods get mirror pods.
    public init(
        runtime: any ContainerRuntime, sources: [any PodSource], settings: KubeletSettings,
        clock: any KubeletClock = SystemKubeletClock(),
        objects: (@Sendable () async -> any ConfigObjectLookup)? = nil,
        api: KubeletAPIConnection? = nil,
        logger: Logger = Logger(label: "swiftlet.kubelet")
    ) {
        self.settings = settings
        let mirrorPods = MirrorPodRegistry()
        self.mirrorPods = mirrorPods
        var sources = sources
        if let api { sources.append(APIPodSource(feed: api.pods, mirrors: mirrorPods)) }
        self.sources = sources
        self.apiSyncPeriod = api?.syncPeriod ?? .seconds(10)
        self.logger = logger
        let config = PodConfig(sources: sources.map(\.name), logger: logger)
        self.config = config
        let (objectChanges, objectChanged) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.objectChanges = objectChanges
        let apiObjects = api?.configObjects.map { APIConfigObjects(watcher: $0, onChange: { objectChanged.yield() }, logger: logger) }
        self.apiObjects = apiObjects
        let tokenManager = api?.tokens.map { ServiceAccountTokenManager(requester: $0, clock: clock, logger: logger) }
        self.tokenManager = tokenManager
        let objectLookup: @Sendable () async -> any ConfigObjectLookup = objects ?? {
            let local: any ConfigObjectLookup
            if let apiObjects {
                local = apiObjects
            } else {
                local = StaticConfigObjects(configMaps: await config.configMaps, secrets: await config.secrets)
            }
            return api == nil ? local : APIObjectLookup(objects: local, tokens: tokenManager)
        }
        let events = EventRecorder()
        self.events = events
        let manager = RuntimeManager(
            runtime: runtime, settings: settings.runtime, clock: clock, objects: objectLookup, events: events, logger: logger)
        self.manager = manager
        let statuses = PodStatusStore()
        self.statuses = statuses
        let statusManager = api.map {
            PodStatusManager(store: statuses, writer: $0.statusWriter, mirrors: mirrorPods, period: $0.syncPeriod, logger: logger)
        }
        self.statusManager = statusManager
        self.mirrorManager = api.map { MirrorPodManager(client: $0.mirrorPods, registry: mirrorPods, nodeName: settings.nodeName, logger: logger) }
        self.pleg = PodLifecycleEventGenerator(runtime: runtime, relistPeriod: settings.relistPeriod, logger: logger)
        let probes = ProbeManager(prober: Prober(runtime: runtime))
        self.probes = probes
        let syncer = KubeletPodSyncer(
            manager: manager, statuses: statuses, events: events, generator: PodStatusGenerator(hostIPs: settings.hostIPs),
            clock: clock, logger: logger, probeResults: probes.results, statusManager: statusManager)
        self.workers = PodWorkers(handler: syncer, logger: logger)
    }

    /// Runs until cancelled (or the service group shuts down), then stops following sources and
    /// events; running pods are left running, to be adopted by the next start.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.runLoops()
        }
        await config.finish()
    }

    private func runLoops() async {
        await withDiscardingTaskGroup { group in
            for source in sources {
                group.addTask { [config, logger] in
                    do {
                        try await source.run { snapshot in await config.apply(snapshot) }
                    } catch {
                        logger.error("pod source failed", metadata: ["source": "\(source.name)", "error": "\(error)"])
                    }
                }
            }
            group.addTask { await self.pleg.run() }
            group.addTask {
                for await event in self.pleg.events { await self.workers.sync(uid: event.podUID) }
            }
            group.addTask {
                for await update in self.config.updates { await self.handle(update) }
            }
            group.addTask {
                for await update in self.probes.results.updates() { await self.workers.sync(uid: update.podUID) }
            }
            group.addTask {
                for await _ in await self.statuses.changes() { await self.publishServiceState() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.settings.syncFrequency)
                    await self.workers.syncAll()
                }
            }
            if let statusManager {
                group.addTask { await statusManager.run() }
            }
            group.addTask {
                // A watched ConfigMap or Secret changed: its pods' volumes are refreshed by a sync.
                for await _ in self.objectChanges { await self.workers.syncAll() }
            }
            if mirrorManager != nil {
                group.addTask {
                    for await _ in self.mirrorPods.changes() { await self.reconcileMirrorPods() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.apiSyncPeriod)
                        await self.reconcileMirrorPods()
                    }
                }
            }
        }
    }

    /// Creates, replaces or removes mirror pods to match the desired static pods.
    func reconcileMirrorPods() async {
        guard let mirrorManager else { return }
        await mirrorManager.reconcile(staticPods: desired.values.filter { !APIPodSource.isAPIPod($0) })
    }

    /// Applies one change from the sources.
    func handle(_ update: PodUpdate) async {
        switch update {
        case .add(let pod):
            let uid = pod.metadata?.uid ?? ""
            let admitted = await admittedPods()
            desired[uid] = pod
            logger.info("pod added", metadata: ["pod": "\(PodConfig.fullName(pod))"])
            if await admitOrReject(pod, admitted: admitted) {
                await start(pod)
            }
        case .update(let pod):
            let uid = pod.metadata?.uid ?? ""
            desired[uid] = pod
            if rejected.contains(uid) {
                await statusManager?.syncPod(uid: uid)
            } else if pod.metadata?.deletionTimestamp != nil {
                let grace = Self.deletionGracePeriod(pod)
                logger.info("pod deleted in the API, stopping it", metadata: ["pod": "\(PodConfig.fullName(pod))", "grace": "\(grace)"])
                await workers.update(pod, kind: .kill(gracePeriod: grace, removed: false))
            } else {
                await workers.update(pod, kind: .update)
            }
        case .remove(let pod):
            let uid = pod.metadata?.uid ?? ""
            desired[uid] = nil
            if rejected.remove(uid) != nil {
                await statuses.remove(uid: uid)
            }
            await probes.removePod(uid: uid)
            logger.info("pod removed from its source, stopping it", metadata: ["pod": "\(PodConfig.fullName(pod))"])
            await workers.update(pod, kind: .kill(gracePeriod: nil, removed: true))
        case .objectsChanged:
            // ConfigMap and Secret volumes are refreshed by the next sync of each pod.
            await workers.syncAll()
        case .sourcesReady:
            await cleanUpOrphans()
        }
        await reportIssues()
        await publishServiceState()
        if case .objectsChanged = update {} else {
            await reconcileMirrorPods()
            await apiObjects?.retain(referencedBy: Array(desired.values))
            await tokenManager?.retain(podUIDs: Set(desired.keys))
        }
    }

    /// Starts a pod's worker and probes; a pod the API is already deleting (a restarted agent)
    /// starts in terminating, and one the API reports finished is not run again.
    private func start(_ pod: CoreV1.Pod) async {
        let uid = pod.metadata?.uid ?? ""
        if pod.metadata?.deletionTimestamp != nil {
            await workers.update(pod, kind: .kill(gracePeriod: Self.deletionGracePeriod(pod), removed: false))
            return
        }
        if let status = pod.status, status.phase == "Succeeded" || status.phase == "Failed" {
            await statuses.set(pod, status: status)
        }
        await workers.update(pod, kind: .create)
        await probes.addPod(pod, clock: ContinuousClock()) { [weak self] name in
            await self?.probedState(uid: uid, container: name) ?? .podGone
        }
    }

    /// The grace period of a pod deleted in the API: `deletionGracePeriodSeconds`, bounded by
    /// the pod's `terminationGracePeriodSeconds` (default 30).
    static func deletionGracePeriod(_ pod: CoreV1.Pod) -> Int64 {
        let own = pod.spec?.terminationGracePeriodSeconds ?? 30
        guard let requested = pod.metadata?.deletionGracePeriodSeconds else { return own }
        return max(0, min(requested, own))
    }

    /// What a probe worker needs to know of its container, from the latest status.
    func probedState(uid: String, container name: String) async -> ProbedContainerState {
        guard let pod = desired[uid] else { return .podGone }
        let willRestart = (pod.spec?.restartPolicy ?? "Always") != "Never"
        guard let current = await statuses.pod(uid: uid), let status = current.containerStatus(named: name) else {
            return .notRunning(containerID: nil, willRestart: true)
        }
        let id = status.containerID.map { String($0.dropFirst(PodStatusGenerator.runtimeScheme.count + 3)) }
        guard let id, let running = status.state?.running else {
            return .notRunning(containerID: id, willRestart: willRestart)
        }
        let startedAt = running.startedAt?.secondsSinceEpoch ?? 0
        let runningFor = Duration.seconds(max(0, WallClock.nowNanoseconds() / 1_000_000_000 - startedAt))
        let spec = ((pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])).first { $0.name == name }
        let started = spec?.startupProbe == nil || probes.results.status(containerID: id, kind: .startup) == .success
        return .running(containerID: id, runningFor: runningFor, started: started, podIP: current.status?.podIP ?? "")
    }

    private func reportIssues() async {
        let issues = Set(await config.issues)
        for issue in issues.subtracting(reportedIssues) {
            await events.record(KubeletEvent(
                kind: .warning, reason: "InvalidManifest", object: issue.podName.isEmpty ? issue.location : issue.podName, message: issue.message))
        }
        reportedIssues = issues
    }

    /// Stops and removes what the runtime runs for pods no source wants (upstream's
    /// `HandlePodCleanups`), once every source has spoken.
    func cleanUpOrphans() async {
        let running: [String: (name: String, namespace: String)]
        do {
            running = try await manager.runtimePods()
        } catch {
            logger.error("cannot list the runtime's pods for cleanup", metadata: ["error": "\(error)"])
            return
        }
        let workerUIDs = await workers.podUIDs
        for (uid, pod) in running where desired[uid] == nil && !workerUIDs.contains(uid) {
            logger.info("removing a pod no source wants", metadata: ["pod": "\(pod.namespace)/\(pod.name)", "uid": "\(uid)"])
            guard let status = try? await manager.podStatus(uid: uid, name: pod.name, namespace: pod.namespace) else { continue }
            await manager.killPod(nil, status: status, gracePeriod: nil)
            await manager.removePod(status: status)
        }
    }
}
