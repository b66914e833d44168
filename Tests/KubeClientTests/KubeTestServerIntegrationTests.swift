import Foundation
import KubeAPI
import KubeTestServer
import Synchronization
import Testing

@testable import KubeClient

/// The client and informers against the test control plane, over loopback TLS.
@Suite("KubeClient against KubeTestServer")
struct KubeTestServerIntegrationTests {
    /// A server and an admin client (client certificate) with an injected clock, stopped after `body`.
    func withServer(
        clock: KubeClock = .system, _ body: (KubeTestServer, KubeClient) async throws -> Void
    ) async throws {
        var options = KubeTestServer.Options()
        options.bookmarkInterval = .milliseconds(200)
        let server = try await KubeTestServer.start(options)
        let identity = try server.issueClientCertificate(user: "kubernetes-admin", groups: ["system:masters"])
        let configuration = KubeClientConfiguration.clientCertificate(
            server: server.url, caPEM: Array(server.caCertificatePEM.utf8), certificatePEM: Array(identity.certificatePEM.utf8),
            keyPEM: Array(identity.keyPEM.utf8))
        let client = try KubeClient(configuration: configuration, clock: clock)
        do {
            try await body(server, client)
        } catch {
            try? await client.shutdown()
            await server.stop()
            throw error
        }
        try await client.shutdown()
        await server.stop()
    }

    static func pod(_ name: String, node: String = "node-1") -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: name, namespace: "default"),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "busybox", name: "c")], nodeName: node))
    }

    /// Polls `condition` every 10 ms for up to 30 s (the machine is loaded; only an upper bound).
    static func eventually(_ what: Comment, _ condition: () -> Bool) async throws {
        for _ in 0..<3000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition(), what)
    }

    @Test func clientCertificateOverTLSCreatesReadsUpdatesPatchesAndDeletes() async throws {
        try await withServer { server, client in
            let created = try await client.create(Self.pod("web"))
            #expect(created.metadata?.uid?.isEmpty == false)
            let read = try await client.get(CoreV1.Pod.self, name: "web")
            #expect(read.metadata?.resourceVersion == created.metadata?.resourceVersion)

            var stale = read
            stale.metadata?.labels = ["app": "web"]
            _ = try await client.update(stale)
            let conflict = await #expect(throws: KubeAPIError.self) { _ = try await client.update(stale) }
            #expect(conflict?.isConflict == true)
            let exists = await #expect(throws: KubeAPIError.self) { _ = try await client.create(Self.pod("web")) }
            #expect(exists?.isAlreadyExists == true)

            let patched = try await client.patch(
                CoreV1.Pod.self, name: "web", patch: .strategicMerge(Array(#"{"status":{"phase":"Running"}}"#.utf8)),
                subresource: "status")
            #expect(patched.status?.phase == "Running")
            let merged = try await client.patch(
                CoreV1.Pod.self, name: "web", patch: .merge(Array(#"{"metadata":{"labels":{"tier":"front"}}}"#.utf8)))
            #expect(merged.metadata?.labels == ["app": "web", "tier": "front"])

            let wrongUID = await #expect(throws: KubeAPIError.self) {
                try await client.delete(CoreV1.Pod.self, name: "web", options: DeleteOptions(preconditionUID: "not-it"))
            }
            #expect(wrongUID?.isConflict == true)
            try await client.delete(CoreV1.Pod.self, name: "web", options: DeleteOptions(gracePeriodSeconds: 0))
            let gone = await #expect(throws: KubeAPIError.self) { _ = try await client.get(CoreV1.Pod.self, name: "web") }
            #expect(gone?.isNotFound == true)
        }
    }

    @Test func kubeconfigFromTheServerAndBearerTokensWork() async throws {
        try await withServer { server, _ in
            let path = NSTemporaryDirectory() + "kc-\(UInt64.random(in: 0...UInt64.max)).conf"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try server.writeAdminKubeconfig(to: path)
            let client = try KubeClient(config: try KubeConfig.load(path: path))
            let namespaces = try await client.list(CoreV1.Namespace.self)
            let names = namespaces.items.compactMap { $0.metadata?.name }
            #expect(names.contains("kube-node-lease"))
            try await client.shutdown()

            server.addStaticToken("abcdef.0123456789abcdef", user: "system:admin", groups: ["system:masters"])
            let tokenClient = try KubeClient(
                configuration: .bearerToken(
                    server: server.url, caPEM: Array(server.caCertificatePEM.utf8), token: "abcdef.0123456789abcdef"))
            let insecure = try KubeClient(configuration: .insecure(server: server.url, token: "abcdef.0123456789abcdef"))
            #expect(try await tokenClient.get(CoreV1.Namespace.self, name: "default").metadata?.name == "default")
            #expect(try await insecure.get(CoreV1.Namespace.self, name: "default").metadata?.name == "default")
            try await tokenClient.shutdown()
            try await insecure.shutdown()
        }
    }

    @Test func aServerWhoseCertificateTheCADidNotSignIsRefused() async throws {
        try await withServer { server, _ in
            let other = try await KubeTestServer.start()
            let stranger = try KubeClient(
                configuration: .bearerToken(server: server.url, caPEM: Array(other.caCertificatePEM.utf8), token: "x"),
                transport: nil)
            await #expect(throws: (any Error).self) { _ = try await stranger.list(CoreV1.Namespace.self) }
            try await stranger.shutdown()
            await other.stop()

        }
    }

    @Test func listWithLimitFollowsContinueTokensToEveryObject() async throws {
        try await withServer { _, client in
            for index in 0..<7 {
                _ = try await client.create(CoreV1.ConfigMap(data: ["i": String(index)], metadata: MetaV1.ObjectMeta(name: "cm-\(index)")))
            }
            var names: [String] = []
            var options = ListOptions(limit: 3)
            var pages = 0
            var resourceVersions: Set<String> = []
            repeat {
                let page = try await client.list(CoreV1.ConfigMap.self, options: options)
                names += page.items.compactMap { $0.metadata?.name }
                resourceVersions.insert(page.resourceVersion)
                options.continueToken = page.continueToken
                pages += 1
            } while options.continueToken != nil
            #expect(pages == 3)
            #expect(names.filter { $0.hasPrefix("cm-") }.sorted() == (0..<7).map { "cm-\($0)" })
            #expect(resourceVersions.count == 1, "every page comes from the same snapshot")
        }
    }

    @Test func watchFromAListDeliversChangesAndBookmarks() async throws {
        try await withServer { _, client in
            let list = try await client.list(CoreV1.Pod.self)
            let stream = try await client.watch(
                CoreV1.Pod.self,
                options: ListOptions(resourceVersion: list.resourceVersion, timeoutSeconds: 30, allowWatchBookmarks: true))
            _ = try await client.create(Self.pod("a"))
            var sawAdded = false
            var bookmark: String?
            for try await event in stream {
                switch event {
                case .added(let pod): sawAdded = pod.metadata?.name == "a"
                case .bookmark(let resourceVersion): bookmark = resourceVersion
                default: break
                }
                if sawAdded, bookmark != nil { break }
            }
            #expect(sawAdded)
            #expect(bookmark?.isEmpty == false)
        }
    }

    @Test func retriesHonourRetryAfterOn429And503AndPostOnlyOn429() async throws {
        let clock = TestClock()
        try await withServer(clock: clock.clock) { server, client in
            _ = try await client.create(Self.pod("a"))
            server.failNextRequests(1, status: 429, retryAfterSeconds: 4, pathPrefix: "/api/v1/namespaces/default/pods", verb: "GET")
            server.failNextRequests(1, status: 503, retryAfterSeconds: 2, pathPrefix: "/api/v1/namespaces/default/pods", verb: "GET")
            #expect(try await client.get(CoreV1.Pod.self, name: "a").metadata?.name == "a")
            #expect(clock.sleeps == [.seconds(4), .seconds(2)])

            server.failNextRequests(1, status: 429, retryAfterSeconds: 1, verb: "POST")
            _ = try await client.create(Self.pod("b"))
            server.failNextRequests(1, status: 503, retryAfterSeconds: 1, verb: "POST")
            let refused = await #expect(throws: KubeAPIError.self) { _ = try await client.create(Self.pod("c")) }
            #expect(refused?.code == 503)
            #expect(try await client.list(CoreV1.Pod.self).items.compactMap { $0.metadata?.name }.sorted() == ["a", "b"])
        }
    }

    @Test func informerResumesADroppedWatchWithoutLosingOrRepeatingEvents() async throws {
        try await withServer { server, client in
            _ = try await client.create(Self.pod("a"))
            _ = try await client.create(Self.pod("elsewhere", node: "node-2"))
            let informer = Informer<CoreV1.Pod>(client: client, selector: .pods(onNode: "node-1"))
            let seen = Mutex<[String]>([])
            informer.store.addHandler { event in
                let name: String
                switch event {
                case .added(let pod): name = "added:" + (pod.metadata?.name ?? "")
                case .updated(_, let pod): name = "updated:" + (pod.metadata?.name ?? "")
                case .deleted(let pod): name = "deleted:" + (pod.metadata?.name ?? "")
                }
                seen.withLock { $0.append(name) }
            }
            let task = Task { await informer.run() }
            defer { task.cancel() }
            await informer.waitForSync()
            try await Self.eventually("the first watch opens") { server.openWatchCount == 1 }
            _ = try await client.create(Self.pod("b"))
            server.dropWatches()
            _ = try await client.create(Self.pod("c"))
            try await client.delete(CoreV1.Pod.self, name: "a", options: DeleteOptions(gracePeriodSeconds: 0))
            try await Self.eventually("b, c and the deletion of a arrive") { seen.withLock { $0.count } >= 4 }
            try await Task.sleep(for: .milliseconds(300))
            #expect(seen.withLock { $0 } == ["added:a", "added:b", "added:c", "deleted:a"])
            #expect(Set(informer.store.keys()) == ["default/b", "default/c"])
        }
    }

    @Test func informerListsAgainAfterCompactionAndDeliversTheDeletionItMissed() async throws {
        try await withServer { server, client in
            for name in ["a", "b"] { _ = try await client.create(Self.pod(name)) }
            let informer = Informer<CoreV1.Pod>(client: client, selector: .pods(onNode: "node-1"))
            let events = informer.store.events()
            let task = Task { await informer.run() }
            defer { task.cancel() }
            await informer.waitForSync()
            try await Self.eventually("the first watch opens") { server.openWatchCount == 1 }
            server.setResponseDelay(.seconds(1))
            server.dropWatches()
            try await Self.eventually("the watch is closed") { server.openWatchCount == 0 }
            _ = try server.delete("pods", namespace: "default", name: "b", gracePeriodSeconds: 0)
            server.compact()
            server.setResponseDelay(nil)
            var names: [String] = []
            for await event in events {
                switch event {
                case .added(let pod): names.append("added:" + (pod.metadata?.name ?? ""))
                case .updated(_, let pod): names.append("updated:" + (pod.metadata?.name ?? ""))
                case .deleted(let pod): names.append("deleted:" + (pod.metadata?.name ?? ""))
                }
                if names.count == 3 { break }
            }
            #expect(names == ["added:a", "added:b", "deleted:b"])
            #expect(informer.store.keys() == ["default/a"])
        }
    }

    @Test func informerSkipsAMalformedObjectAndKeepsGoing() async throws {
        try await withServer { server, client in
            let informer = Informer<CoreV1.Pod>(client: client)
            let task = Task { await informer.run() }
            defer { task.cancel() }
            await informer.waitForSync()
            try await Self.eventually("the watch opens") { server.openWatchCount == 1 }
            try server.injectIntoWatches(
                "pods",
                object: [
                    "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "broken", "namespace": "default", "resourceVersion": "1"],
                    "spec": ["containers": "not-a-list"], "unknownField": true,
                ])
            _ = try await client.create(Self.pod("fine"))
            try await Self.eventually("the next pod arrives") { informer.store.get("default/fine") != nil }
            #expect(informer.store.get("default/broken") == nil)
            #expect(client.undecodableObjectCount == 1)
        }
    }
}
