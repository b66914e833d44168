import KubeAPI
import Testing

@testable import Kubelet

@Suite("API pod source")
struct APIPodSourceTests {
    @Test func podsBoundToTheNodeBecomeAnAPISnapshotAndMirrorPodsGoToTheRegistry() async throws {
        let feed = FakeAPIPodFeed()
        let registry = MirrorPodRegistry()
        let source = APIPodSource(feed: feed, mirrors: registry)
        let collector = SnapshotCollector()
        let task = Task { try await source.run { await collector.add($0) } }
        defer { task.cancel() }

        var mirror = try apiPod("etcd-node1", uid: "mirror-1", namespace: "kube-system")
        mirror.metadata?.annotations = [MirrorPods.annotation: "hash-1"]
        feed.send([try apiPod("web", uid: "uid-web"), mirror])

        let snapshot = try await within(30, "the first snapshot") { await collector.waitFor { !$0.pods.isEmpty } }
        #expect(snapshot.source == "api")
        #expect(snapshot.pods.map { $0.metadata?.uid } == ["uid-web"])
        #expect(snapshot.pods.first?.metadata?.annotations?["kubernetes.io/config.source"] == "api")
        #expect(APIPodSource.isAPIPod(try #require(snapshot.pods.first)))
        #expect(registry.pod(named: "kube-system/etcd-node1")?.metadata?.uid == "mirror-1")

        feed.send([])
        _ = try await within(30, "the empty snapshot") { await collector.waitFor { $0.pods.isEmpty } }
        #expect(registry.all.isEmpty)
    }
}
