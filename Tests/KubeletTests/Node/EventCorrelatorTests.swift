import KubeAPI
import Testing

@testable import Kubelet

/// An API server's Events; failures can be queued.
actor FakeEventWriter: EventWriter {
    enum Call: Equatable { case create(String), patch(String) }

    var events: [String: CoreV1.Event] = [:]
    var calls: [Call] = []
    var patches: [JSONValue] = []
    var created: [CoreV1.Event] = []
    var failures: [any Error] = []
    private var version = 0

    func fail(with failures: [any Error]) { self.failures += failures }

    private func check() throws {
        if !failures.isEmpty { throw failures.removeFirst() }
    }

    func createEvent(_ event: CoreV1.Event) async throws -> CoreV1.Event {
        calls.append(.create(event.metadata.name ?? ""))
        try check()
        if events[event.metadata.name ?? ""] != nil { throw KubeAPIFailure(.alreadyExists, "events already exists") }
        created.append(event)
        version += 1
        var stored = event
        stored.metadata.resourceVersion = "\(version)"
        events[event.metadata.name ?? ""] = stored
        return stored
    }

    func patchEvent(namespace: String, name: String, patch: JSONValue) async throws -> CoreV1.Event {
        calls.append(.patch(name))
        try check()
        guard let existing = events[name] else { throw KubeAPIFailure(.notFound, "events \"\(name)\" not found") }
        patches.append(patch)
        let merged = applyStrategicMerge(patch, to: existing.encoded(), mergeKeys: [:])
        let updated = try CoreV1.Event(decoding: merged)
        events[name] = updated
        return updated
    }
}

@Suite("Event correlation and the event recorder")
struct EventCorrelatorTests {
    func recorder(_ writer: FakeEventWriter, clock: ManualKubeletClock, sleeper: ManualLoopSleeper? = nil) -> ClusterEventRecorder {
        ClusterEventRecorder(
            nodeName: "node-a", writer: writer, clock: clock,
            sleeper: sleeper ?? ManualLoopSleeper(clock: clock, runFor: .seconds(3600)))
    }

    func backOff(_ message: String = "Back-off restarting failed container app") -> KubeletEvent {
        KubeletEvent(kind: .warning, reason: "BackOff", object: "default/web", message: message)
    }

    @Test func kubeletEventBecomesACoreEventAsUpstreamMakesIt() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart + 42)
        let recorder = recorder(FakeEventWriter(), clock: clock)
        let event = try #require(await recorder.makeEvent(backOff()))
        #expect(event.metadata.name == "web." + String(nodeTestStart + 42, radix: 16))
        #expect(event.metadata.namespace == "default")
        #expect(event.involvedObject == CoreV1.ObjectReference(apiVersion: "v1", kind: "Pod", name: "web", namespace: "default"))
        #expect(event.type == "Warning")
        #expect(event.reason == "BackOff")
        #expect(event.count == 1)
        #expect(event.firstTimestamp == MetaV1.Time(secondsSinceEpoch: 1_800_000_000))
        #expect(event.lastTimestamp == event.firstTimestamp)
        #expect(event.source == CoreV1.EventSource(component: "kubelet", host: "node-a"))
        #expect(event.reportingComponent == "kubelet")
        #expect(event.reportingInstance == "node-a")

        let nodeEvent = try #require(await recorder.makeEvent(KubeletEvent(kind: .normal, reason: "NodeReady", object: "node-a", message: "m")))
        #expect(nodeEvent.involvedObject == CoreV1.ObjectReference(kind: "Node", name: "node-a", namespace: "", uid: "node-a"))
        #expect(nodeEvent.metadata.namespace == "default")
        #expect(await recorder.makeEvent(KubeletEvent(kind: .warning, reason: "InvalidManifest", object: "/etc/kubernetes/manifests/x.yaml", message: "m")) == nil)
    }

    @Test func repeatedEventIsPatchedWithCountLastTimestampAndMessage() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let writer = FakeEventWriter()
        let recorder = recorder(writer, clock: clock)
        await recorder.publish(backOff())
        clock.advance(by: .seconds(30))
        await recorder.publish(backOff())
        clock.advance(by: .seconds(30))
        await recorder.publish(backOff())
        let name = "web." + String(nodeTestStart, radix: 16)
        #expect(await writer.calls == [.create(name), .patch(name), .patch(name)])
        let patch = try #require(await writer.patches.last)
        #expect(JSONWriter.string(patch) == #"{"count":3,"lastTimestamp":"2027-01-15T08:01:00Z","message":"Back-off restarting failed container app"}"#)
        let stored = try #require(await writer.events[name])
        #expect(stored.count == 3)
        #expect(stored.firstTimestamp == MetaV1.Time(secondsSinceEpoch: 1_800_000_000))
        #expect(stored.lastTimestamp == MetaV1.Time(secondsSinceEpoch: 1_800_000_060))
    }

    @Test func tenSimilarMessagesWithinTenMinutesBecomeOneCombinedEvent() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let writer = FakeEventWriter()
        let recorder = recorder(writer, clock: clock)
        for index in 0..<12 {
            await recorder.publish(backOff("Back-off restarting failed container c\(index)"))
            clock.advance(by: .seconds(1))
        }
        let events = await writer.events.values.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        // Nine events as they are, then the tenth distinct message starts the combined event,
        // which the eleventh and twelfth repeat.
        let combined = events.filter { $0.message?.hasPrefix("(combined from similar events): ") == true }
        #expect(events.count == 10)
        #expect(combined.count == 1)
        #expect(combined.first?.count == 3)
        #expect(combined.first?.message == "(combined from similar events): Back-off restarting failed container c11")

        // Ten minutes of quiet start the count over.
        clock.advance(by: .seconds(601))
        await recorder.publish(backOff("Back-off restarting failed container fresh"))
        #expect(await writer.events.values.contains { $0.message == "Back-off restarting failed container fresh" })
    }

    @Test func spamFilterLetsTwentyFivePassThenOneEveryFiveMinutes() {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let correlator = EventCorrelator(clock: clock)
        func event(_ index: Int) -> CoreV1.Event {
            CoreV1.Event(
                involvedObject: CoreV1.ObjectReference(kind: "Pod", name: "web", namespace: "default"), message: "m\(index % 5)",
                metadata: MetaV1.ObjectMeta(name: "web.\(index)", namespace: "default"), reason: "R\(index)",
                source: CoreV1.EventSource(component: "kubelet", host: "node-a"), type: "Normal")
        }
        let first = (0..<30).map { correlator.correlate(event($0)).skip }
        #expect(first.prefix(25).allSatisfy { !$0 })
        #expect(first.suffix(5).allSatisfy { $0 })
        clock.advance(by: .seconds(299))
        #expect(correlator.correlate(event(30)).skip)
        clock.advance(by: .seconds(1))
        #expect(!correlator.correlate(event(31)).skip)
        #expect(correlator.correlate(event(32)).skip)
        // Another object has its own bucket.
        var other = event(33)
        other.involvedObject.name = "db"
        #expect(!correlator.correlate(other).skip)
    }

    @Test func unreachableServerIsRetriedButARefusalDropsTheEvent() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(3600))
        let writer = FakeEventWriter()
        let recorder = recorder(writer, clock: clock, sleeper: sleeper)
        await writer.fail(with: [KubeAPIFailure(.transport, "connection refused"), KubeAPIFailure(.transport, "connection reset")])
        await recorder.publish(backOff())
        #expect(await writer.calls.count == 3)
        #expect(await writer.events.count == 1)
        #expect(sleeper.recorded.count == 2)
        #expect(sleeper.recorded.first.map { $0 < .seconds(10) } == true)
        #expect(sleeper.recorded.last == .seconds(10))

        await writer.fail(with: [KubeAPIFailure(.status(422), "Event is invalid")])
        await recorder.publish(KubeletEvent(kind: .normal, reason: "Pulled", object: "default/web", message: "pulled"))
        #expect(await writer.calls.count == 4)
        #expect(sleeper.recorded.count == 2)
    }

    @Test func eventsRecordedThroughTheQueueAreWrittenByTheRunLoop() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let writer = FakeEventWriter()
        let recorder = recorder(writer, clock: clock)
        let task = Task { try await recorder.run() }
        recorder.record(backOff())
        recorder.record(KubeletEvent(kind: .normal, reason: "Started", object: "default/web", message: "Started container app"))
        recorder.record(KubeletEvent(kind: .normal, reason: "NodeReady", object: "node-a", message: "Node node-a status is now: NodeReady"))
        for _ in 0..<1000 where await writer.calls.count < 3 {
            try await Task.sleep(for: .milliseconds(10))
        }
        task.cancel()
        let reasons = await writer.created.compactMap(\.reason)
        // The two pod events share a name at this frozen instant, so the server refuses the second
        // as it would; the node's event is written.
        #expect(reasons == ["BackOff", "NodeReady"])
        #expect(await writer.calls.count == 3)
    }
}
