import KubeAPI
import Testing

@testable import Kubelet

@Suite("Pod status manager")
struct PodStatusManagerTests {
    static func marked(_ pod: CoreV1.Pod) -> CoreV1.Pod { APIPodSource.split([pod]).regular[0] }

    static func status(phase: String, ready: String = "False", probeTime: Int64 = 100) -> CoreV1.PodStatus {
        var status = CoreV1.PodStatus()
        status.phase = phase
        var condition = CoreV1.PodCondition(status: ready, type: "Ready")
        condition.lastProbeTime = MetaV1.Time(secondsSinceEpoch: probeTime)
        condition.lastTransitionTime = MetaV1.Time(secondsSinceEpoch: probeTime)
        status.conditions = [condition]
        return status
    }

    struct Setup {
        let store = PodStatusStore()
        let writer = FakePodStatusWriter()
        let mirrors = MirrorPodRegistry()
        let manager: PodStatusManager
        init() { manager = PodStatusManager(store: store, writer: writer, mirrors: mirrors) }
    }

    @Test func statusIsWrittenOnlyWhenItChangesBeyondConditionHeartbeats() async throws {
        let s = Setup()
        let pod = Self.marked(try apiPod("web", uid: "uid-web"))
        await s.store.set(pod, status: Self.status(phase: "Pending"))
        await s.manager.syncPod(uid: "uid-web")
        #expect(s.writer.patches.count == 1)

        await s.store.set(pod, status: Self.status(phase: "Pending", probeTime: 200))
        await s.manager.syncAll()
        #expect(s.writer.patches.count == 1, "a new probe or transition time alone is not written")

        await s.store.set(pod, status: Self.status(phase: "Running", ready: "True", probeTime: 300))
        await s.manager.syncPod(uid: "uid-web")
        #expect(s.writer.patches.count == 2)
        #expect(s.writer.patches.last?.phase == "Running")
        #expect(await s.manager.lastWritten(uid: "uid-web")?.phase == "Running")
    }

    @Test func patchCarriesTheUIDPreconditionTheStatusAndNullsForDroppedFields() throws {
        var old = Self.status(phase: "Failed")
        old.message = "Pod was rejected: no room"
        let new = Self.status(phase: "Running")
        let patch = PodStatusManager.statusPatch(uid: "uid-1", status: new, previous: old)
        #expect(patch["metadata"]?["uid"]?.stringValue == "uid-1")
        #expect(patch["status"]?["phase"]?.stringValue == "Running")
        #expect(patch["status"]?["message"] == .null)
        #expect(patch["status"]?["conditions"]?.arrayValue?.count == 1)
        #expect(patch["spec"] == nil)
    }

    @Test func failedOrConflictingWriteIsRetriedByTheNextSync() async throws {
        let s = Setup()
        let pod = Self.marked(try apiPod("web", uid: "uid-web"))
        s.writer.failNext([APIWriteError.conflict])
        await s.store.set(pod, status: Self.status(phase: "Running"))
        await s.manager.syncPod(uid: "uid-web")
        #expect(s.writer.attempts == 1)
        #expect(s.writer.patches.isEmpty)
        #expect(await s.manager.lastWritten(uid: "uid-web") == nil)

        await s.manager.syncAll()
        #expect(s.writer.attempts == 2)
        #expect(s.writer.patches.count == 1)
        #expect(s.writer.patches.first?.uid == "uid-web")
    }

    @Test func staticPodStatusGoesToItsCurrentMirrorPodOnly() async throws {
        let s = Setup()
        let staticPod = try etcdStaticPod()
        let uid = try #require(staticPod.metadata?.uid)
        await s.store.set(staticPod, status: Self.status(phase: "Running"))
        await s.manager.syncPod(uid: uid)
        #expect(s.writer.attempts == 0, "no mirror pod yet: nothing to write to")

        var outdated = MirrorPods.mirror(of: staticPod, nodeName: "node1", nodeUID: "node-uid-1")
        outdated.metadata?.uid = "mirror-old"
        outdated.metadata?.annotations?[MirrorPods.annotation] = "another-hash"
        s.mirrors.replace(with: [outdated])
        await s.manager.syncPod(uid: uid)
        #expect(s.writer.attempts == 0, "an outdated mirror pod gets no status")

        var mirror = MirrorPods.mirror(of: staticPod, nodeName: "node1", nodeUID: "node-uid-1")
        mirror.metadata?.uid = "mirror-uid"
        s.mirrors.replace(with: [mirror])
        await s.manager.syncPod(uid: uid)
        let patch = try #require(s.writer.patches.first)
        #expect(patch.uid == "mirror-uid")
        #expect(patch.namespace == "kube-system")
        #expect(patch.name == "etcd-node1")

        // A recreated mirror pod (new UID) gets the status again.
        mirror.metadata?.uid = "mirror-uid-2"
        s.mirrors.replace(with: [mirror])
        await s.manager.syncPod(uid: uid)
        #expect(s.writer.patches.map(\.uid) == ["mirror-uid", "mirror-uid-2"])
    }

    @Test func podBeingDeletedIsDeletedWithGraceZeroAndItsUIDOnceReclaimed() async throws {
        let s = Setup()
        var pod = Self.marked(try apiPod("web", uid: "uid-web"))
        pod.metadata?.deletionTimestamp = MetaV1.Time(secondsSinceEpoch: 1_700_000_000)
        pod.metadata?.deletionGracePeriodSeconds = 30
        await s.store.set(pod, status: Self.status(phase: "Running"))
        await s.manager.syncPod(uid: "uid-web")
        #expect(s.writer.patches.count == 1)
        #expect(s.writer.deletions.isEmpty, "containers may still run")

        await s.store.set(pod, status: Self.status(phase: "Failed"))
        await s.manager.podResourcesReclaimed(uid: "uid-web")
        #expect(s.writer.patches.last?.phase == "Failed", "the final status is written before the deletion")
        #expect(s.writer.deletions == [.init(namespace: "default", name: "web", uid: "uid-web", gracePeriodSeconds: 0)])

        await s.manager.syncAll()
        #expect(s.writer.deletions.count == 1, "deleted once")
    }

    @Test func staticPodIsNeverDeletedFromTheAPI() async throws {
        let s = Setup()
        let pod = try apiPod("web", uid: "uid-web")
        await s.store.set(pod, status: Self.status(phase: "Running"))
        await s.manager.podResourcesReclaimed(uid: "uid-web")
        #expect(s.writer.deletions.isEmpty)
    }
}
