import KubeAPI
import KubeTestServer
import Testing

@Suite("KubeTestServer faults on demand")
struct FaultTests {
    @Test func nextRequestsMatchingAPrefixFailWithRetryAfterThenSucceed() async throws {
        try await withServer { server, client in
            server.failNextRequests(2, status: 429, retryAfterSeconds: 3, pathPrefix: "/api/v1/namespaces/default/configmaps", verb: "GET")
            let other = try await client.get("/api/v1/nodes")
            #expect(other.status == 200)
            for _ in 0..<2 {
                let limited = try await client.get("/api/v1/namespaces/default/configmaps")
                #expect(limited.status == 429)
                #expect(limited.headers.first(name: "Retry-After") == "3")
                #expect(limited.body["reason"] == "TooManyRequests")
                #expect(limited.body["details"]?["retryAfterSeconds"] == 3)
            }
            #expect(try await client.get("/api/v1/namespaces/default/configmaps").status == 200)

            server.failNextRequests(1, status: 503)
            let unavailable = try await client.get("/api/v1/nodes")
            #expect(unavailable.status == 503)
            #expect(unavailable.body["reason"] == "ServiceUnavailable")
            server.failNextRequests(1, status: 500)
            #expect(try await client.get("/api/v1/nodes").status == 500)
        }
    }

    @Test func droppedWatchesEndAndCanResumeWithoutLosingEvents() async throws {
        try await withServer { server, client in
            let first = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("a"))
            let from = try #require(first.body["metadata"]?["resourceVersion"]?.stringValue)
            let watch = try await client.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(from)")
            _ = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("b"))
            let seen = try #require(try await watch.nextChange())
            server.dropWatches()
            #expect(try await watch.next() == nil)
            _ = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("c"))
            let resumeFrom = try #require(seen.object["metadata"]?["resourceVersion"]?.stringValue)
            let resumed = try await client.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(resumeFrom)")
            let next = try #require(try await resumed.nextChange())
            #expect(next.object["metadata"]?["name"] == "c")
        }
    }

    @Test func restartKeepsThePortAndObjectsAndCompactsOldVersions() async throws {
        try await withServer { server, client in
            let created = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("kept"))
            let old = try #require(created.body["metadata"]?["resourceVersion"]?.stringValue)
            _ = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("later"))
            let port = server.port
            try await server.restart(compacting: true)
            #expect(server.port == port)
            let again = try await client.get("/api/v1/namespaces/default/configmaps/kept")
            #expect(again.status == 200)
            let watch = try await client.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(old)")
            let error = try #require(try await watch.next())
            #expect(error.type == "ERROR")
            #expect(error.object["code"] == 410)
        }
    }

    @Test func malformedObjectsReachWatchesAndLists() async throws {
        try await withServer { server, client in
            let watch = try await client.watch("/api/v1/namespaces/default/pods?watch=true&resourceVersion=\(server.resourceVersion)")
            let broken: JSONValue = [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "broken", "namespace": "default"],
                "spec": ["containers": "not-a-list", "unknownField": true],
            ]
            try server.injectIntoWatches("pods", object: broken)
            let event = try #require(try await watch.next())
            #expect(event.object["spec"]?["containers"] == "not-a-list")

            try server.storeRaw("pods", broken)
            let list = try await client.get("/api/v1/namespaces/default/pods")
            #expect(list.body["items"]?.arrayValue?.first?["spec"]?["unknownField"] == true)
            let stored = try #require(try await watch.next())
            #expect(stored.type == "ADDED")
        }
    }

    @Test func responseDelayHoldsAnswersBack() async throws {
        try await withServer { server, client in
            server.setResponseDelay(.milliseconds(300))
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await client.get("/api/v1/nodes")
            #expect(answer.status == 200)
            #expect(clock.now - start >= .milliseconds(300))
            server.setResponseDelay(nil)
        }
    }
}
