import KubeAPI
import KubeTestServer
import Testing

@Suite("KubeTestServer pod deletion")
struct PodDeletionTests {
    @Test func boundPodIsDeletedGracefullyAndGoesOnlyAtGraceZero() async throws {
        try await withServer { _, client in
            let created = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("bound", node: "n1"))
            let from = try #require(created.body["metadata"]?["resourceVersion"]?.stringValue)
            let watch = try await client.watch("/api/v1/namespaces/default/pods?watch=true&resourceVersion=\(from)")

            let marked = try await client.send(.DELETE, "/api/v1/namespaces/default/pods/bound")
            #expect(marked.status == 200)
            #expect(marked.body["kind"] == "Pod")
            #expect(marked.body["metadata"]?["deletionGracePeriodSeconds"] == 30)
            #expect(marked.body["metadata"]?["deletionTimestamp"] != nil)
            let modified = try #require(try await watch.nextChange())
            #expect(modified.type == "MODIFIED")
            #expect(modified.object["metadata"]?["deletionTimestamp"] != nil)
            #expect(try await client.get("/api/v1/namespaces/default/pods/bound").status == 200)

            let shorter = try await client.send(.DELETE, "/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=5")
            #expect(shorter.body["metadata"]?["deletionGracePeriodSeconds"] == 5)
            _ = try await watch.nextChange()

            let now: JSONValue = ["apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0]
            let gone = try await client.send(.DELETE, "/api/v1/namespaces/default/pods/bound", now)
            #expect(gone.status == 200)
            let deleted = try #require(try await watch.nextChange())
            #expect(deleted.type == "DELETED")
            #expect(try await client.get("/api/v1/namespaces/default/pods/bound").status == 404)
        }
    }

    @Test func unboundPodIsDeletedAtOnce() async throws {
        try await withServer { _, client in
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("pending"))
            let answer = try await client.send(.DELETE, "/api/v1/namespaces/default/pods/pending")
            #expect(answer.status == 200)
            #expect(try await client.get("/api/v1/namespaces/default/pods/pending").status == 404)
        }
    }
}
