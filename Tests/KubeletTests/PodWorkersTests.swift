import ContainerRuntime
import ContainerRuntimeTesting
import KubeAPI
import Synchronization
import Testing

@testable import Kubelet

/// Records the calls of the pod workers and checks that a pod is never synced twice at once.
final class RecordingSyncer: PodSyncHandler {
    private let state = Mutex<(calls: [String], inFlight: Set<String>, overlaps: Int, terminal: Set<String>, maxInFlight: Int)>(([], [], 0, [], 0))

    var calls: [String] { state.withLock { $0.calls } }
    var overlaps: Int { state.withLock { $0.overlaps } }
    /// The most pods ever in a sync at the same time.
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    func finish(_ uid: String) { state.withLock { _ = $0.terminal.insert(uid) } }

    private func enter(_ call: String, _ uid: String) {
        state.withLock {
            $0.calls.append(call)
            if $0.inFlight.contains(uid) { $0.overlaps += 1 }
            $0.inFlight.insert(uid)
            $0.maxInFlight = max($0.maxInFlight, $0.inFlight.count)
        }
    }

    private func leave(_ uid: String) { state.withLock { _ = $0.inFlight.remove(uid) } }

    func syncPod(_ pod: CoreV1.Pod) async -> PodSyncOutcome {
        let uid = pod.metadata?.uid ?? ""
        enter("sync \(pod.metadata?.name ?? "") \(pod.spec?.containers.first?.image ?? "")", uid)
        try? await Task.sleep(for: .milliseconds(20))
        leave(uid)
        return PodSyncOutcome(isTerminal: state.withLock { $0.terminal.contains(uid) })
    }

    func syncTerminatingPod(_ pod: CoreV1.Pod, gracePeriod: Int64?) async {
        enter("terminating \(pod.metadata?.name ?? "") \(gracePeriod.map(String.init) ?? "default")", pod.metadata?.uid ?? "")
        leave(pod.metadata?.uid ?? "")
    }

    func syncTerminatedPod(_ pod: CoreV1.Pod, removed: Bool) async {
        enter("terminated \(pod.metadata?.name ?? "") removed=\(removed)", pod.metadata?.uid ?? "")
        leave(pod.metadata?.uid ?? "")
    }
}

@Suite("Pod workers")
struct PodWorkersTests {
    static func pod(_ name: String, image: String = "v1") -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: name, namespace: "default", uid: "uid-\(name)"),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: image, name: "app")]))
    }

    static func waitFor(_ syncer: RecordingSyncer, _ what: String, _ predicate: @escaping @Sendable ([String]) -> Bool) async throws {
        try await within(30, what) {
            while !predicate(syncer.calls) { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test func updatesArrivingDuringASyncAreMergedIntoOneMoreSyncWithTheLatestPod() async throws {
        let syncer = RecordingSyncer()
        let workers = PodWorkers(handler: syncer)
        await workers.update(Self.pod("web"), kind: .create)
        // The first sync is under way (it takes 20 ms) when the updates arrive.
        try await Self.waitFor(syncer, "the first sync") { $0 == ["sync web v1"] }
        for version in 2...6 {
            await workers.update(Self.pod("web", image: "v\(version)"), kind: .update)
        }
        try await Self.waitFor(syncer, "the latest spec") { $0.last == "sync web v6" }
        try await Task.sleep(for: .milliseconds(50))
        #expect(syncer.overlaps == 0)
        // Five updates, at most two more syncs (one may start between two updates), never concurrent.
        #expect(syncer.calls.first == "sync web v1")
        #expect(syncer.calls.count <= 3, "\(syncer.calls)")
    }

    @Test func killedPodGoesThroughTerminatingAndTerminatedThenItsWorkerIsGone() async throws {
        let syncer = RecordingSyncer()
        let workers = PodWorkers(handler: syncer)
        await workers.update(Self.pod("web"), kind: .create)
        await workers.update(Self.pod("web"), kind: .kill(gracePeriod: 5, removed: true))
        try await Self.waitFor(syncer, "termination") { $0.contains("terminated web removed=true") }
        let calls = syncer.calls
        #expect(calls.firstIndex(of: "terminating web 5")! < calls.firstIndex(of: "terminated web removed=true")!)
        try await within(30, "the worker's end") {
            while await workers.lifecycle(of: "uid-web") != nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(syncer.overlaps == 0)
    }

    @Test func podThatFinishesIsTerminatedOnceAndNotSyncedAgain() async throws {
        let syncer = RecordingSyncer()
        let workers = PodWorkers(handler: syncer)
        syncer.finish("uid-job")
        await workers.update(Self.pod("job"), kind: .create)
        try await Self.waitFor(syncer, "termination") { $0.contains("terminated job removed=false") }
        await workers.sync(uid: "uid-job")
        await workers.syncAll()
        try await Task.sleep(for: .milliseconds(50))
        #expect(syncer.calls == ["sync job v1", "terminating job default", "terminated job removed=false"])
        #expect(await workers.lifecycle(of: "uid-job") == .terminated)
    }

    @Test func podAddedAgainWhileBeingRemovedStartsAgainAfterItsCleanup() async throws {
        let syncer = RecordingSyncer()
        let workers = PodWorkers(handler: syncer)
        await workers.update(Self.pod("web"), kind: .create)
        try await Self.waitFor(syncer, "the first sync") { $0.contains("sync web v1") }
        await workers.update(Self.pod("web"), kind: .kill(gracePeriod: nil, removed: true))
        await workers.update(Self.pod("web", image: "v2"), kind: .create)
        try await Self.waitFor(syncer, "the sync after the cleanup") { $0.last == "sync web v2" }
        let calls = syncer.calls
        #expect(calls.firstIndex(of: "terminated web removed=true")! < calls.lastIndex(of: "sync web v2")!)
        #expect(await workers.lifecycle(of: "uid-web") == .syncing)
        #expect(syncer.overlaps == 0)
    }

    @Test func differentPodsAreSyncedConcurrently() async throws {
        let syncer = RecordingSyncer()
        let workers = PodWorkers(handler: syncer)
        for i in 0..<20 { await workers.update(Self.pod("p\(i)"), kind: .create) }
        try await Self.waitFor(syncer, "20 syncs") { $0.count == 20 }
        #expect(syncer.maxInFlight > 1)
        #expect(syncer.overlaps == 0)
    }
}

@Suite("Pod lifecycle event generator")
struct PodLifecycleEventGeneratorTests {
    @Test func runtimeEventsBecomePodEventsAndRelistReportsWhatHappenedBefore() async throws {
        let runtime = FakeContainerRuntime()
        let sandboxConfig = PodSandboxConfig(
            metadata: PodSandboxMetadata(name: "p", uid: "uid1", namespace: "default"), labels: [RuntimeLabels.podUID: "uid1"])
        let sandbox = try await runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
        // Made before the generator exists: only the relist can see it.
        let early = try await runtime.createContainer(
            podSandboxID: sandbox, config: ContainerConfig(metadata: ContainerMetadata(name: "early"), image: ImageSpec("busybox"), command: ["sleep", "1"], labels: [RuntimeLabels.podUID: "uid1"]),
            sandboxConfig: sandboxConfig)
        try await runtime.startContainer(id: early)

        let pleg = PodLifecycleEventGenerator(runtime: runtime, relistPeriod: .seconds(3600))
        let task = Task { await pleg.run() }
        defer { task.cancel() }
        let box = EventBox()
        let reader = Task { for await event in pleg.events { await box.add(event) } }
        defer { reader.cancel() }
        let relisted = try await within(30, "the relist event") { await box.wait(count: 1) }
        #expect(relisted == [PodLifecycleEvent(podUID: "uid1", kind: .containerStarted, containerID: early)])

        let late = try await runtime.createContainer(
            podSandboxID: sandbox, config: ContainerConfig(metadata: ContainerMetadata(name: "late"), image: ImageSpec("busybox"), command: ["false"], labels: [RuntimeLabels.podUID: "uid1"]),
            sandboxConfig: sandboxConfig)
        try await runtime.startContainer(id: late)
        let events = try await within(30, "three runtime events") { await box.wait(count: 4) }.dropFirst()
        #expect(events.allSatisfy { $0.podUID == "uid1" && $0.containerID == late })
        #expect(events.map(\.kind) == [.containerChanged, .containerStarted, .containerDied])
    }
}

/// Collects events for a test to wait on.
actor EventBox {
    private var events: [PodLifecycleEvent] = []

    func add(_ event: PodLifecycleEvent) { events.append(event) }

    func wait(count: Int) async -> [PodLifecycleEvent] {
        while events.count < count && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        return events
    }
}
