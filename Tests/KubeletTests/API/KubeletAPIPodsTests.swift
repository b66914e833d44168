import ContainerRuntime
import ContainerRuntimeTesting
import KubeAPI
import Testing

@testable import Kubelet

/// A kubelet on the fake runtime with the API seams faked, admission on a 1-CPU, 1 GiB node.
final class APIKubeletHarness: Sendable {
    let state: String
    let runtime = PullFailingRuntime()
    let feed = FakeAPIPodFeed()
    let files = ScriptedPodSource(name: "file")
    let writer = FakePodStatusWriter()
    let mirrorClient = FakeMirrorPodClient()
    let configObjects = FakeConfigObjectWatcher()
    let kubelet: Kubelet
    private let task: Task<Void, any Error>

    init(maxPods: Int = 110) throws {
        state = try makeTemporaryDirectory("state")
        let admission = Admission(
            nodeName: "node1", allocatable: ["cpu": try Quantity(parsing: "1"), "memory": try Quantity(parsing: "1Gi")], maxPods: maxPods)
        let settings = KubeletSettings(
            nodeName: "node1", hostIPs: ["192.0.2.10"], syncFrequency: .seconds(3600), relistPeriod: .seconds(3600),
            runtime: RuntimeManager.Settings(
                podLogsRoot: state + "/logs", podsDirectory: state + "/pods",
                volumes: VolumeManager(root: state, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)),
            admission: admission)
        let api = KubeletAPIConnection(
            pods: feed, statusWriter: writer, mirrorPods: mirrorClient, configObjects: configObjects, syncPeriod: .seconds(3600))
        let kubelet = Kubelet(runtime: runtime, sources: [files], settings: settings, api: api)
        self.kubelet = kubelet
        task = Task { try await kubelet.run() }
    }

    func tearDown() async {
        task.cancel()
        _ = await task.result
        removeDirectory(state)
    }

    /// Waits until the pod's status in the store satisfies `predicate`.
    func waitForStatus(uid: String, _ what: String, _ predicate: @escaping @Sendable (CoreV1.PodStatus) -> Bool) async throws -> CoreV1.PodStatus {
        let statuses = kubelet.statuses
        return try await within(30, what) {
            guard let pod = await statuses.first(where: { $0.metadata?.uid == uid && $0.status.map(predicate) == true }) else {
                throw TimedOut(what: what)
            }
            return try #require(pod.status)
        }
    }

    /// Polls `condition` every 10 ms until it holds.
    func eventually(_ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
        try await within(30, what) {
            while try await !condition() { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    func sandboxes(uid: String) async throws -> [PodSandbox] {
        try await runtime.listPodSandboxes(filter: PodSandboxFilter()).filter { $0.metadata.uid == uid }
    }
}

@Suite("Pods from the API server")
struct KubeletAPIPodsTests {
    @Test func apiPodRunsAndItsStatusIsPatchedWithItsUID() async throws {
        let h = try APIKubeletHarness()
        h.files.send([])
        h.feed.send([try apiPod("web", uid: "uid-web")])
        _ = try await h.waitForStatus(uid: "uid-web", "web running") { $0.phase == "Running" }
        let writer = h.writer
        try await h.eventually("a Running status patch") { writer.patches.contains { $0.phase == "Running" && $0.uid == "uid-web" } }
        #expect(writer.patches.allSatisfy { $0.namespace == "default" && $0.name == "web" })
        #expect(try await h.sandboxes(uid: "uid-web").count == 1)
        await h.tearDown()
    }

    @Test func podThatDoesNotFitIsRejectedWithUpstreamReasonAndNeverStarted() async throws {
        let h = try APIKubeletHarness()
        h.files.send([])
        let big = try apiPod("big", uid: "uid-big", containerExtra: "resources: {requests: {cpu: \"2\"}}")
        h.feed.send([big])
        let status = try await h.waitForStatus(uid: "uid-big", "big rejected") { $0.phase == "Failed" }
        #expect(status.reason == "OutOfcpu")
        #expect(status.message == "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 0, capacity: 1000")
        let writer = h.writer
        try await h.eventually("the rejection written") { writer.patches.contains { $0.uid == "uid-big" && $0.phase == "Failed" } }
        #expect(try await h.sandboxes(uid: "uid-big").isEmpty)
        #expect(await h.kubelet.events.all.contains { $0.reason == "OutOfcpu" && $0.object == "default/big" })
        await h.tearDown()
    }

    @Test func staticAndAPIPodsCountTowardsMaxPods() async throws {
        let h = try APIKubeletHarness(maxPods: 1)
        h.files.send([try etcdStaticPod(image: "busybox:1.36")])
        _ = try await h.waitForStatus(uid: try #require(try etcdStaticPod(image: "busybox:1.36").metadata?.uid), "etcd running") { $0.phase == "Running" }
        h.feed.send([try apiPod("web", uid: "uid-web")])
        let status = try await h.waitForStatus(uid: "uid-web", "web rejected") { $0.phase == "Failed" }
        #expect(status.reason == "OutOfpods")
        #expect(try await h.sandboxes(uid: "uid-web").isEmpty)
        await h.tearDown()
    }

    @Test func deletedPodStopsGracefullyAndIsThenDeletedWithGraceZeroAndItsUID() async throws {
        let h = try APIKubeletHarness()
        h.files.send([])
        var web = try apiPod("web", uid: "uid-web", extra: "terminationGracePeriodSeconds: 20")
        h.feed.send([web])
        _ = try await h.waitForStatus(uid: "uid-web", "web running") { $0.phase == "Running" }

        web.metadata?.deletionTimestamp = MetaV1.Time(secondsSinceEpoch: 1_700_000_000)
        web.metadata?.deletionGracePeriodSeconds = 30
        h.feed.send([web])
        let writer = h.writer
        try await h.eventually("the pod deleted from the API") { !writer.deletions.isEmpty }
        #expect(writer.deletions == [.init(namespace: "default", name: "web", uid: "uid-web", gracePeriodSeconds: 0)])
        #expect(try await h.sandboxes(uid: "uid-web").isEmpty, "stopped and cleaned up before the deletion")
        #expect(writer.patches.last?.phase == "Failed", "a killed API pod ends Failed (exit 137), written before the deletion")

        h.feed.send([])
        try await h.eventually("the pod forgotten") { await h.kubelet.statuses.pod(uid: "uid-web") == nil }
        await h.tearDown()
    }

    @Test func staticPodGetsAMirrorPodAndItsStatusGoesThere() async throws {
        let h = try APIKubeletHarness()
        let etcd = try etcdStaticPod(image: "busybox:1.36")
        h.files.send([etcd])
        h.feed.send([])
        let client = h.mirrorClient
        try await h.eventually("a mirror pod created") { !client.creations.isEmpty }
        var mirror = try #require(client.creations.first)
        #expect(mirror.metadata?.annotations?[MirrorPods.annotation] == etcd.metadata?.uid)
        mirror.metadata?.uid = "mirror-uid"
        h.feed.send([mirror])
        let writer = h.writer
        try await h.eventually("status written to the mirror pod") { writer.patches.contains { $0.uid == "mirror-uid" } }
        #expect(writer.patches.allSatisfy { $0.name == "etcd-node1" && $0.namespace == "kube-system" })

        h.files.send([])
        try await h.eventually("the orphaned mirror pod deleted") { client.deletions.contains { $0.uid == "mirror-uid" } }
        await h.tearDown()
    }

    @Test func configMapChangeInTheAPIReachesTheRunningPodsVolume() async throws {
        let h = try APIKubeletHarness()
        h.files.send([])
        h.configObjects.set("default", "content", data: ["index.html": "v1"])
        h.feed.send([try apiPod("web", uid: "uid-web", extra: "volumes: [{name: content, configMap: {name: content}}]")])
        _ = try await h.waitForStatus(uid: "uid-web", "web running") { $0.phase == "Running" }
        let volumes = try #require(h.kubelet.manager.settings.volumes)
        let file = volumes.volumeDirectory(uid: "uid-web", plugin: "configmap", name: "content") + "/index.html"
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "v1")
        #expect(h.configObjects.opened == ["default/content"])

        h.configObjects.set("default", "content", data: ["index.html": "v2"])
        try await h.eventually("the new content in the volume") { (try? String(contentsOfFile: file, encoding: .utf8)) == "v2" }

        h.feed.send([])
        let watcher = h.configObjects
        try await h.eventually("the watch released with its last pod") { watcher.openNow.isEmpty }
        await h.tearDown()
    }

    @Test func deletionGraceIsTheRequestedOneBoundedByThePodsOwn() throws {
        var pod = try apiPod("web", uid: "uid-web", extra: "terminationGracePeriodSeconds: 20")
        #expect(Kubelet.deletionGracePeriod(pod) == 20)
        pod.metadata?.deletionGracePeriodSeconds = 5
        #expect(Kubelet.deletionGracePeriod(pod) == 5)
        pod.metadata?.deletionGracePeriodSeconds = 60
        #expect(Kubelet.deletionGracePeriod(pod) == 20)
        pod.spec?.terminationGracePeriodSeconds = nil
        #expect(Kubelet.deletionGracePeriod(pod) == 30)
    }
}
