import KubeAPI
import Testing

@testable import Kubelet

@Suite("PodConfig merges sources")
struct PodConfigTests {
    static func pod(_ name: String, image: String = "busybox:1.36") throws -> CoreV1.Pod {
        try staticPod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              containers: [{name: app, image: "\(image)"}]
            """, file: "/m/\(name).yaml")
    }

    /// Reads the next `count` updates.
    static func next(_ count: Int, from config: PodConfig) async throws -> [PodUpdate] {
        try await within(30, "\(count) updates") {
            var result: [PodUpdate] = []
            for await update in config.updates {
                result.append(update)
                if result.count == count { break }
            }
            return result
        }
    }

    @Test func snapshotsBecomeAddUpdateRemoveAndSourcesReadyFollowsTheFirstOfEverySource() async throws {
        let config = PodConfig(sources: ["file", "http"])
        let web = try Self.pod("web")
        await config.apply(PodSourceSnapshot(source: "file", pods: [web]))
        #expect(try await Self.next(1, from: config) == [.add(web)])
        await config.apply(PodSourceSnapshot(source: "http", pods: []))
        #expect(try await Self.next(1, from: config) == [.sourcesReady])

        var relabelled = web
        relabelled.metadata?.labels = ["tier": "front"]
        await config.apply(PodSourceSnapshot(source: "file", pods: [relabelled]))
        #expect(try await Self.next(1, from: config) == [.update(relabelled)])

        await config.apply(PodSourceSnapshot(source: "file", pods: []))
        #expect(try await Self.next(1, from: config) == [.remove(relabelled)])
    }

    @Test func unchangedSnapshotEmitsNothing() async throws {
        let config = PodConfig(sources: ["file"])
        let web = try Self.pod("web")
        let db = try Self.pod("db")
        await config.apply(PodSourceSnapshot(source: "file", pods: [web]))
        await config.apply(PodSourceSnapshot(source: "file", pods: [web]))
        await config.apply(PodSourceSnapshot(source: "file", pods: [web, db]))
        #expect(try await Self.next(3, from: config) == [.add(web), .sourcesReady, .add(db)])
    }

    @Test func podNameTakenByAnotherSourceIsRefusedWithAnIssue() async throws {
        let config = PodConfig(sources: ["file", "http"])
        let web = try Self.pod("web")
        var other = try Self.pod("web", image: "nginx:1.27")
        other.metadata?.uid = "another-uid"
        await config.apply(PodSourceSnapshot(source: "file", pods: [web]))
        await config.apply(PodSourceSnapshot(source: "http", pods: [other]))
        #expect(try await Self.next(2, from: config) == [.add(web), .sourcesReady])
        let issues = await config.issues
        #expect(issues.count == 1)
        #expect(issues.first?.message.contains("default/web-node1") == true)
        #expect(await config.pods.count == 1)
    }
}
