import KubeAPI
import Testing

@testable import Kubelet

/// An API server holding Leases with resourceVersions; failures can be queued per call.
actor FakeLeaseClient: NodeLeaseClient {
    enum Call: Equatable { case get, create, update, nodeUID }

    var lease: CoordinationV1.Lease?
    var writes: [CoordinationV1.Lease] = []
    private var failures = FailureQueue<Call>()
    var calls: [Call] { failures.calls }
    private var version = 0

    func fail(_ call: Call, with failures: [KubeAPIFailure]) { self.failures.add(call, failures) }

    /// Someone else wrote the Lease: its resourceVersion moves on.
    func bumpVersion() {
        version += 1
        lease?.metadata?.resourceVersion = "\(version)"
    }

    private func check(_ call: Call) throws { try failures.check(call) }

    private func store(_ lease: CoordinationV1.Lease) -> CoordinationV1.Lease {
        version += 1
        var stored = lease
        stored.metadata?.resourceVersion = "\(version)"
        self.lease = stored
        writes.append(stored)
        return stored
    }

    func getLease(namespace: String, name: String) async throws -> CoordinationV1.Lease {
        try check(.get)
        guard let lease else { throw KubeAPIFailure(.notFound, "leases \"\(name)\" not found") }
        return lease
    }

    func createLease(_ lease: CoordinationV1.Lease) async throws -> CoordinationV1.Lease {
        try check(.create)
        if self.lease != nil { throw KubeAPIFailure(.alreadyExists, "leases already exists") }
        return store(lease)
    }

    func updateLease(_ lease: CoordinationV1.Lease) async throws -> CoordinationV1.Lease {
        try check(.update)
        guard let current = self.lease else { throw KubeAPIFailure(.notFound, "leases not found") }
        guard current.metadata?.resourceVersion == lease.metadata?.resourceVersion else {
            throw KubeAPIFailure(.conflict, "the object has been modified; please apply your changes to the latest version and try again")
        }
        return store(lease)
    }

    func nodeUID(named name: String) async throws -> String {
        try check(.nodeUID)
        return "uid-\(name)"
    }
}

@Suite("Node Lease heartbeat")
struct NodeLeaseControllerTests {
    func controller(_ client: FakeLeaseClient, clock: ManualKubeletClock, sleeper: ManualLoopSleeper) -> NodeLeaseController {
        NodeLeaseController(nodeName: "node-a", client: client, clock: clock, sleeper: sleeper, jitterFactor: 0)
    }

    @Test func leaseIsCreatedOwnedByTheNodeThenRenewedEveryTenSeconds() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart + 123_456_789)
        let start = clock.nowNanoseconds()
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(35))
        let client = FakeLeaseClient()
        let controller = controller(client, clock: clock, sleeper: sleeper)
        #expect(controller.renewInterval == .seconds(10))
        // The sleeper stops the loop after 35 s; run() returns normally then, as at shutdown.
        try await controller.run()

        let writes = await client.writes
        #expect(writes.count == 4)
        let renewals = writes.compactMap { $0.spec?.renewTime }
        // Renewed at 0, 10, 20 and 30 s, each cut to whole microseconds as MicroTime is.
        let offsets = renewals.map { $0.secondsSinceEpoch * 1_000_000_000 + Int64($0.nanoseconds) - start }
        #expect(offsets == [0, 10, 20, 30].map { $0 * 1_000_000_000 - 789 })
        let lease = try #require(writes.last)
        #expect(lease.metadata?.name == "node-a")
        #expect(lease.metadata?.namespace == "kube-node-lease")
        #expect(lease.spec?.holderIdentity == "node-a")
        #expect(lease.spec?.leaseDurationSeconds == 40)
        #expect(lease.metadata?.ownerReferences == [MetaV1.OwnerReference(apiVersion: "v1", kind: "Node", name: "node-a", uid: "uid-node-a")])
        // Get (missing) and create once; afterwards only updates of the last written Lease.
        #expect(await client.calls.filter { $0 != .nodeUID } == [.get, .create, .update, .update, .update])
        #expect(JSONWriter.string(try #require(renewals.first).encoded()).hasSuffix(".123456Z\""))
    }

    @Test func conflictGetsTheLeaseAgainAndUpdatesThat() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let client = FakeLeaseClient()
        let controller = controller(client, clock: clock, sleeper: ManualLoopSleeper(clock: clock, runFor: .seconds(60)))
        try await controller.sync()
        await client.bumpVersion()
        clock.advance(by: .seconds(10))
        try await controller.sync()
        #expect(await client.calls.suffix(3) == [.update, .get, .update])
        #expect(await client.writes.count == 2)
        #expect(await controller.latestLease?.metadata?.resourceVersion == client.lease?.metadata?.resourceVersion)
    }

    @Test func ensuringTheLeaseBacksOffFromTwoHundredMillisecondsToSevenSeconds() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(60))
        let client = FakeLeaseClient()
        await client.fail(.get, with: Array(repeating: KubeAPIFailure(.transport, "connection refused"), count: 8))
        let controller = controller(client, clock: clock, sleeper: sleeper)
        try await controller.sync()
        #expect(sleeper.recorded == [
            .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200),
            .milliseconds(6400), .seconds(7), .seconds(7),
        ])
        #expect(await client.writes.count == 1)
    }

    @Test func failedUpdatesAreTriedFiveTimesThenTheLeaseIsEnsuredAndUpdated() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let client = FakeLeaseClient()
        let controller = controller(client, clock: clock, sleeper: ManualLoopSleeper(clock: clock, runFor: .seconds(60)))
        try await controller.sync()
        await client.fail(.update, with: Array(repeating: KubeAPIFailure(.status(500), "internal error"), count: 5))
        clock.advance(by: .seconds(10))
        try await controller.sync()
        let calls = await client.calls.filter { $0 != .nodeUID }
        #expect(calls == [.get, .create] + Array(repeating: .update, count: 5) + [.get, .update])
        #expect(await client.writes.count == 2)
    }
}
