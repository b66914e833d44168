import KubeAPI
import Logging

/// One worker per pod, each applying its pod's updates one at a time (upstream's `podWorkers`).
///
/// A pod goes through `syncing` (kept running as its spec says) → `terminating` (its containers
/// stopped within the grace period) → `terminated` (cleaned up). Updates that arrive while the
/// worker is busy are merged: the worker then syncs once more with the latest pod, never twice
/// at the same time.
public actor PodWorkers {
    /// The phase of a pod's worker.
    public enum Lifecycle: Sendable, Equatable {
        case syncing
        case terminating(gracePeriod: Int64?)
        case terminated
    }

    /// What an update asks for.
    public enum UpdateKind: Sendable, Equatable {
        /// A new or changed pod.
        case create, update
        /// Sync again (a runtime event, a resync, a back-off ended).
        case sync
        /// Stop the pod; `removed` when it left its source (the worker is then forgotten). A kill
        /// that is not a removal starts a worker in terminating for a pod it does not know.
        case kill(gracePeriod: Int64?, removed: Bool)
    }

    private struct Worker {
        var pod: CoreV1.Pod
        var lifecycle: Lifecycle
        var removed = false
        var wake: AsyncStream<Void>.Continuation
        var task: Task<Void, Never>?
        /// `syncTerminatedPod` ran for the current termination.
        var cleanedUp = false
        /// The pod came back (same UID) while it was being removed: once removed, it starts again
        /// with this spec, as upstream restarts a static pod whose manifest returned.
        var restartWith: CoreV1.Pod?
    }

    private let handler: any PodSyncHandler
    private var workers: [String: Worker] = [:]
    private let logger: Logger
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var busy: Set<String> = []

    public init(handler: any PodSyncHandler, logger: Logger = Logger(label: "swiftlet.kubelet.workers")) {
        self.handler = handler
        self.logger = logger
    }

    /// Hands an update to the pod's worker, starting one for a new pod.
    public func update(_ pod: CoreV1.Pod, kind: UpdateKind) {
        let uid = pod.metadata?.uid ?? ""
        if var worker = workers[uid] {
            switch kind {
            case .create, .update:
                if worker.lifecycle == .syncing {
                    worker.pod = pod
                } else if worker.removed {
                    worker.restartWith = pod
                }
            case .sync:
                break
            case .kill(let grace, let removed):
                if worker.lifecycle == .syncing {
                    worker.lifecycle = .terminating(gracePeriod: grace)
                    // Keep the pod as the kill saw it (its deletion timestamp, for cleanup).
                    if !removed { worker.pod = pod }
                }
                worker.removed = worker.removed || removed
                if case .terminated = worker.lifecycle, removed {
                    // Finished earlier (Succeeded/Failed): clean up now.
                    worker.lifecycle = .terminating(gracePeriod: grace)
                    worker.cleanedUp = false
                }
            }
            workers[uid] = worker
            worker.wake.yield()
            return
        }
        if case .kill(_, true) = kind { return }
        if case .sync = kind { return }
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // A kill for a pod never started (deleted in the API before this agent ran it) goes
        // straight to terminating, so whatever an earlier agent left running is stopped.
        var lifecycle = Lifecycle.syncing
        if case .kill(let grace, _) = kind { lifecycle = .terminating(gracePeriod: grace) }
        workers[uid] = Worker(pod: pod, lifecycle: lifecycle, wake: continuation)
        let task = Task { [weak self] in
            for await _ in stream {
                guard let self else { return }
                if await !Self.inChildTask({ await self.work(uid) }) { break }
            }
        }
        workers[uid]?.task = task
        continuation.yield()
    }

    /// Asks every syncing worker to sync again.
    public func syncAll() {
        for worker in workers.values where worker.lifecycle == .syncing {
            worker.wake.yield()
        }
    }

    /// Asks the worker of this pod UID to sync again, if there is one.
    public func sync(uid: String) {
        guard let worker = workers[uid] else { return }
        worker.wake.yield()
    }

    /// The worker's phase, or nil when there is no worker for the UID.
    public func lifecycle(of uid: String) -> Lifecycle? { workers[uid]?.lifecycle }

    /// The UIDs with a worker.
    public var podUIDs: Set<String> { Set(workers.keys) }

    /// Whether a pod's worker exists and is not terminated (its containers should be running).
    public func isActive(_ uid: String) -> Bool {
        guard let worker = workers[uid] else { return false }
        return worker.lifecycle == .syncing
    }

    /// Returns once no worker is busy and none has work queued (for tests and shutdown).
    public func waitUntilIdle() async {
        if isIdle { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private var isIdle: Bool { busy.isEmpty }

    /// One round of a worker: false when the worker is finished and gone.
    private func work(_ uid: String) async -> Bool {
        guard let worker = workers[uid] else { return false }
        busy.insert(uid)
        defer {
            busy.remove(uid)
            if busy.isEmpty {
                let waiters = idleWaiters
                idleWaiters = []
                for waiter in waiters { waiter.resume() }
            }
        }
        let pod = worker.pod
        switch worker.lifecycle {
        case .syncing:
            let outcome = await handler.syncPod(pod)
            if outcome.isTerminal, workers[uid]?.lifecycle == .syncing {
                workers[uid]?.lifecycle = .terminating(gracePeriod: nil)
                workers[uid]?.wake.yield()
            } else if let delay = outcome.requeueAfter {
                Task { [weak self] in
                    try? await Task.sleep(for: delay)
                    await self?.sync(uid: uid)
                }
            }
            return true
        case .terminating(let grace):
            await handler.syncTerminatingPod(pod, gracePeriod: grace)
            workers[uid]?.lifecycle = .terminated
            workers[uid]?.wake.yield()
            return true
        case .terminated:
            let removed = worker.removed
            if worker.cleanedUp && !removed { return true }
            await handler.syncTerminatedPod(pod, removed: removed)
            workers[uid]?.cleanedUp = true
            if removed, let next = workers[uid]?.restartWith {
                workers[uid]?.pod = next
                workers[uid]?.lifecycle = .syncing
                workers[uid]?.removed = false
                workers[uid]?.cleanedUp = false
                workers[uid]?.restartWith = nil
                workers[uid]?.wake.yield()
                logger.info("pod came back while it was removed, starting it again", metadata: ["pod": "\(next.metadata?.namespace ?? "")/\(next.metadata?.name ?? "")"])
                return true
            }
            if removed {
                workers[uid]?.wake.finish()
                workers[uid] = nil
                logger.info("pod worker finished", metadata: ["pod": "\(pod.metadata?.namespace ?? "")/\(pod.metadata?.name ?? "")"])
                return false
            }
            return true
        }
    }

    /// Runs one round of a worker in a child task of the worker's.
    ///
    /// A task keeps the memory of its deepest chain of async frames until it ends, and a round's
    /// frames are large (they hold pod specs, statuses and runtime configs across suspension
    /// points): run on the long-lived worker task, they stayed allocated as long as the pod,
    /// over 100 KiB per pod. A child task frees them when the round returns.
    private static func inChildTask<Result: Sendable>(
        _ body: @escaping @Sendable () async -> Result
    ) async -> Result {
        await withTaskGroup(of: Result.self) { group in
            group.addTask(operation: body)
            // The group has exactly one child, so next() returns its result.
            return await group.next()!
        }
    }
}
