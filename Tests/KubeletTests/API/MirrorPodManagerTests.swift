import KubeAPI
import Testing

@testable import Kubelet

@Suite("Mirror pods")
struct MirrorPodManagerTests {
    @Test func missingMirrorPodIsCreatedWithTheHashAnnotationAndTheNodeAsController() async throws {
        let client = FakeMirrorPodClient()
        let registry = MirrorPodRegistry()
        let manager = MirrorPodManager(client: client, registry: registry, nodeName: "node1")
        let etcd = try etcdStaticPod()
        await manager.reconcile(staticPods: [etcd])

        let created = try #require(client.creations.first)
        #expect(client.creations.count == 1)
        #expect(created.metadata?.name == "etcd-node1")
        #expect(created.metadata?.annotations?["kubernetes.io/config.mirror"] == etcd.metadata?.annotations?["kubernetes.io/config.hash"])
        let owner = try #require(created.metadata?.ownerReferences?.first)
        #expect(owner == MetaV1.OwnerReference(apiVersion: "v1", controller: true, kind: "Node", name: "node1", uid: "node-uid-1"))
        #expect(created.spec == etcd.spec)

        var mirror = created
        mirror.metadata?.uid = "mirror-1"
        registry.replace(with: [mirror])
        await manager.reconcile(staticPods: [etcd])
        #expect(client.creations.count == 1, "a current mirror pod is left alone")
        #expect(client.deletions.isEmpty)
    }

    @Test func outdatedMirrorPodIsDeletedByUIDAndRecreated() async throws {
        let client = FakeMirrorPodClient()
        let registry = MirrorPodRegistry()
        let manager = MirrorPodManager(client: client, registry: registry, nodeName: "node1")
        var old = MirrorPods.mirror(of: try etcdStaticPod(image: "etcd:3.4"), nodeName: "node1", nodeUID: "node-uid-1")
        old.metadata?.uid = "mirror-old"
        registry.replace(with: [old])
        let etcd = try etcdStaticPod()
        await manager.reconcile(staticPods: [etcd])
        #expect(client.deletions == [.init(fullName: "kube-system/etcd-node1", uid: "mirror-old")])
        #expect(client.creations.first?.spec?.containers.first?.image == "etcd:3.5")
    }

    @Test func mirrorPodBeingDeletedIsRecreatedWithoutDeletingAgain() async throws {
        let client = FakeMirrorPodClient()
        let registry = MirrorPodRegistry()
        let manager = MirrorPodManager(client: client, registry: registry, nodeName: "node1")
        let etcd = try etcdStaticPod()
        var deleting = MirrorPods.mirror(of: etcd, nodeName: "node1", nodeUID: "node-uid-1")
        deleting.metadata?.uid = "mirror-1"
        deleting.metadata?.deletionTimestamp = MetaV1.Time(secondsSinceEpoch: 1_700_000_000)
        registry.replace(with: [deleting])
        await manager.reconcile(staticPods: [etcd])
        #expect(client.deletions.isEmpty)
        #expect(client.creations.count == 1)
    }

    @Test func orphanedMirrorPodIsDeleted() async throws {
        let client = FakeMirrorPodClient()
        let registry = MirrorPodRegistry()
        let manager = MirrorPodManager(client: client, registry: registry, nodeName: "node1")
        var orphan = MirrorPods.mirror(of: try etcdStaticPod(), nodeName: "node1", nodeUID: "node-uid-1")
        orphan.metadata?.uid = "mirror-1"
        registry.replace(with: [orphan])
        await manager.reconcile(staticPods: [])
        #expect(client.deletions == [.init(fullName: "kube-system/etcd-node1", uid: "mirror-1")])
        #expect(client.creations.isEmpty)
    }
}
