import KubeAPI
import KubeTestServer
import Testing

@Suite("KubeTestServer watch")
struct WatchTests {
    @Test func watchFromAResourceVersionSendsLaterChangesThenBookmarks() async throws {
        var options = KubeTestServer.Options()
        options.bookmarkInterval = .milliseconds(200)
        try await withServer(options) { _, client in
            let a = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("a"))
            let from = try #require(a.body["metadata"]?["resourceVersion"]?.stringValue)
            let b = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("b"))
            let changed = try await client.send(
                .PUT, "/api/v1/namespaces/default/configmaps/a", a.body.setting("data", to: ["k": "v"]))

            let watch = try await client.watch(
                "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(from)&allowWatchBookmarks=true")
            #expect(watch.status == 200)
            let first = try #require(try await watch.next())
            #expect(first.type == "ADDED")
            #expect(first.object["metadata"]?["name"] == "b")
            #expect(first.object["metadata"]?["resourceVersion"] == b.body["metadata"]?["resourceVersion"])
            let second = try #require(try await watch.next())
            #expect(second.type == "MODIFIED")
            #expect(second.object["data"]?["k"] == "v")
            let bookmark = try #require(try await watch.next())
            #expect(bookmark.type == "BOOKMARK")
            #expect(bookmark.object["kind"] == "ConfigMap")
            #expect(bookmark.object["metadata"]?["resourceVersion"] == changed.body["metadata"]?["resourceVersion"])

            _ = try await client.send(.DELETE, "/api/v1/namespaces/default/configmaps/b")
            let deleted = try #require(try await watch.nextChange())
            #expect(deleted.type == "DELETED")
            #expect(deleted.object["metadata"]?["name"] == "b")
        }
    }

    @Test func watchWithoutAVersionStartsWithTheCurrentObjectsAndHonoursSelectors() async throws {
        try await withServer { _, client in
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("mine", node: "n1"))
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("other", node: "n2"))
            let watch = try await client.watch("/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dn1")
            let initial = try #require(try await watch.next())
            #expect(initial.type == "ADDED")
            #expect(initial.object["metadata"]?["name"] == "mine")
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("later-other", node: "n2"))
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("later-mine", node: "n1"))
            let next = try #require(try await watch.nextChange())
            #expect(next.object["metadata"]?["name"] == "later-mine")
        }
    }

    @Test func watchFromACompactedVersionGetsAnExpiredErrorEvent() async throws {
        try await withServer { server, client in
            let a = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("a"))
            let old = try #require(a.body["metadata"]?["resourceVersion"]?.stringValue)
            _ = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("b"))
            server.compact()
            let watch = try await client.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(old)")
            #expect(watch.status == 200)
            let error = try #require(try await watch.next())
            #expect(error.type == "ERROR")
            #expect(error.object["kind"] == "Status")
            #expect(error.object["code"] == 410)
            #expect(error.object["reason"] == "Expired")
            #expect(error.object["message"]?.stringValue?.hasPrefix("too old resource version: \(old)") == true)
            #expect(try await watch.next() == nil)
        }
    }

    @Test func timeoutSecondsEndsTheWatchAndTheServerForgetsIt() async throws {
        try await withServer { server, client in
            _ = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("seen"))
            let watch = try await client.watch("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")
            var names: [String] = []
            while let event = try await watch.next() { names.append(event.object["metadata"]?["name"]?.stringValue ?? "") }
            #expect(names == ["seen"])
            #expect(server.openWatchCount == 0)
        }
    }
}
