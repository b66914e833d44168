import KubeAPI
import Synchronization
import Testing

@testable import KubeClient

@Suite("Informers")
struct InformerTests {
    /// The events seen so far, as `kind:name@resourceVersion`.
    final class Recorder: Sendable {
        let seen = Mutex<[String]>([])
        func record(_ event: InformerEvent<CoreV1.Pod>) {
            let text: String
            switch event {
            case .added(let pod): text = "added:\(pod.metadata?.name ?? "")@\(pod.resourceVersion)"
            case .updated(_, let pod): text = "updated:\(pod.metadata?.name ?? "")@\(pod.resourceVersion)"
            case .deleted(let pod): text = "deleted:\(pod.metadata?.name ?? "")"
            }
            seen.withLock { $0.append(text) }
        }
        var events: [String] { seen.withLock { $0 } }

        func wait(for count: Int) async throws {
            for _ in 0..<20_000 where events.count < count { try await Task.sleep(for: .milliseconds(1)) }
        }
    }

    @Test func pagedListThenWatchResumesAfterADroppedWatchWithoutLossOrDuplicates() async throws {
        let server = ScriptedAPIServer()
        for name in ["a", "b", "c"] { server.put(name) }
        let client = try makeClient(server.transport)
        let informer = Informer<CoreV1.Pod>(
            client: client, selector: .pods(onNode: "node-1"),
            indexers: ["node": { [$0.spec?.nodeName ?? ""] }], pageSize: 2)
        let recorder = Recorder()
        informer.store.addHandler(recorder.record)
        let task = Task { await informer.run() }
        defer { task.cancel() }
        await informer.waitForSync()
        #expect(informer.hasSynced)
        #expect(server.listTargets.count == 2)  // two pages of 2 and 1
        #expect(server.listTargets.allSatisfy { $0.contains("fieldSelector=spec.nodeName%3Dnode-1") })
        #expect(Set(recorder.events) == ["added:a@101", "added:b@102", "added:c@103"])
        try await server.waitForWatches(1)
        let first = try #require(server.watchTargets.first)
        #expect(first.contains("resourceVersion=103") && first.contains("allowWatchBookmarks=true"))
        let timeout = Int(first.split(separator: "timeoutSeconds=")[1].prefix(3)) ?? 0
        #expect((300..<600).contains(timeout))

        server.send("MODIFIED", server.put("a"))
        server.send("BOOKMARK", ["kind": "Pod", "metadata": ["resourceVersion": "110"]])
        server.endWatch()
        try await server.waitForWatches(2)
        #expect(server.watchTargets[1].contains("resourceVersion=110"))
        server.send("ADDED", server.put("d"))
        server.breakWatch()
        try await server.waitForWatches(3)
        #expect(server.watchTargets[2].contains("resourceVersion=105"))
        server.send("DELETED", server.remove("b") ?? [:])
        try await recorder.wait(for: 6)
        #expect(recorder.events.dropFirst(3) == ["updated:a@104", "added:d@105", "deleted:b"])
        #expect(Set(informer.store.keys()) == ["default/a", "default/c", "default/d"])
        #expect(informer.store.byIndex("node", "node-1").count == 3)
        #expect(server.listTargets.count == 2, "a dropped watch resumes; it does not list again")
    }

    @Test func goneRelistsAndDeliversOnlyWhatChangedIncludingDeletes() async throws {
        let server = ScriptedAPIServer()
        for name in ["a", "b", "c"] { server.put(name) }
        let client = try makeClient(server.transport)
        let informer = Informer<CoreV1.Pod>(client: client)
        let events = informer.store.events()
        let recorder = Recorder()
        let reading = Task { for await event in events { recorder.record(event) } }
        defer { reading.cancel() }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        try await server.waitForWatches(1)
        // While no event reaches the informer, b disappears and c changes; then the watch is too old.
        server.remove("b")
        server.put("c")
        server.send("ERROR", statusBody(code: 410, reason: "Expired", message: "too old resource version"))
        try await server.waitForWatches(2)
        try await recorder.wait(for: 5)
        #expect(Set(recorder.events.prefix(3)) == ["added:a@101", "added:b@102", "added:c@103"])
        #expect(Set(recorder.events.dropFirst(3)) == ["deleted:b", "updated:c@105"])
        #expect(server.listTargets.count == 2)
        #expect(server.watchTargets[1].contains("resourceVersion=105"))
    }

    @Test func failuresBackOffFromEightHundredMillisecondsDoubling() async throws {
        let clock = TestClock()
        let transport = FakeTransport { _ in json(statusBody(code: 403, reason: "Forbidden"), status: 403) }
        let client = try makeClient(transport, clock: clock, retry: .none)
        let informer = Informer<CoreV1.Node>(client: client, selector: .node(named: "node-1"))
        let task = Task { await informer.run() }
        for _ in 0..<20_000 where clock.sleeps.count < 4 { try await Task.sleep(for: .milliseconds(1)) }
        task.cancel()
        await task.value
        let sleeps = clock.sleeps.prefix(4).map(\.seconds)
        #expect(sleeps.count == 4)
        for (index, base) in [0.8, 1.6, 3.2, 6.4].enumerated() where index < sleeps.count {
            #expect(sleeps[index] >= base - 1e-6 && sleeps[index] <= 2 * base + 1e-6)
        }
        #expect(!informer.hasSynced)
        #expect(transport.requests.first?.target == "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-1&limit=500")
    }

    @Test func backoffStartsOverAfterAQuietPeriod() {
        let backoff = InformerBackoff(jitter: 0)
        var state = InformerBackoff.State()
        #expect(state.next(backoff, now: .seconds(0)) == .milliseconds(800))
        #expect(state.next(backoff, now: .seconds(1)) == .milliseconds(1600))
        for second in 2..<10 { _ = state.next(backoff, now: .seconds(second)) }
        #expect(state.next(backoff, now: .seconds(11)) == .seconds(30))
        #expect(state.next(backoff, now: .seconds(200)) == .milliseconds(800))
    }

    @Test func malformedObjectInTheWatchIsSkippedAndTheInformerKeepsGoing() async throws {
        let server = ScriptedAPIServer()
        server.put("a")
        let client = try makeClient(server.transport)
        let informer = Informer<CoreV1.Pod>(client: client)
        let recorder = Recorder()
        informer.store.addHandler(recorder.record)
        let task = Task { await informer.run() }
        defer { task.cancel() }
        try await server.waitForWatches(1)
        server.send("ADDED", podJSON("broken", resourceVersion: "150").setting("metadata", to: "oops"))
        server.send("ADDED", server.put("b"))
        try await recorder.wait(for: 2)
        #expect(recorder.events == ["added:a@101", "added:b@102"])
        #expect(client.undecodableObjectCount == 1)
        #expect(server.watchTargets.count == 1)
    }
}
