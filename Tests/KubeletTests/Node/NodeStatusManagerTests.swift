import KubeAPI
import Synchronization
import Testing

@testable import Kubelet

@Suite("Node registration and status loop")
struct NodeStatusManagerTests {
    final class Recorded<T: Sendable>: Sendable {
        let values = Mutex<[T]>([])
        func append(_ value: T) { values.withLock { $0.append(value) } }
        var all: [T] { values.withLock { $0 } }
    }

    final class HealthSwitch: Sendable {
        let health = Mutex(NodeHealth.healthy)
        func set(_ value: NodeHealth) { health.withLock { $0 = value } }
        var current: NodeHealth { health.withLock { $0 } }
    }

    func manager(
        client: FakeNodeClient, clock: ManualKubeletClock, sleeper: ManualLoopSleeper, health: HealthSwitch = HealthSwitch(),
        cidrs: Recorded<[String]> = Recorded(), events: Recorded<KubeletEvent> = Recorded()
    ) -> NodeStatusManager {
        NodeStatusManager(
            builder: NodeStatusBuilder(settings: testSettings()), client: client, machine: FixedMachineInfoSource(testMachine),
            health: { health.current }, onPodCIDRs: { cidrs.append($0) }, onEvent: { events.append($0) },
            clock: clock, sleeper: sleeper)
    }

    @Test func withRegisterNodeFalseTheNodeIsNeverCreatedOnlyItsStatusWritten() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(30))
        let existing = CoreV1.Node(metadata: MetaV1.ObjectMeta(name: "node-a", uid: "uid-node-a"))
        let client = FakeNodeClient(clock: clock, existing: existing)
        let manager = NodeStatusManager(
            builder: NodeStatusBuilder(settings: testSettings()), client: client, machine: FixedMachineInfoSource(testMachine),
            registerNode: false, clock: clock, sleeper: sleeper)
        try await manager.syncNodeStatus()
        #expect(await client.calls == [.get, .patch])
        #expect(await client.node?.status?.conditions?.first { $0.type == "Ready" }?.status == "True")
    }

    @Test func statusIsPatchedEveryTenSecondsOnlyOnChangeAndForcedAfterFiveMinutes() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(400))
        let client = FakeNodeClient(clock: clock)
        let health = HealthSwitch()
        let events = Recorded<KubeletEvent>()
        let manager = manager(client: client, clock: clock, sleeper: sleeper, health: health, events: events)

        // Registration sleeps 100 ms first, then the first status write follows at once.
        try await manager.syncNodeStatus()
        let registeredAt = nodeTestStart + 100_000_000
        #expect(await client.calls == [.create, .get, .patch])
        #expect(events.all.map(\.reason) == ["NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID", "NodeReady"])

        // Nothing changes for a while: the loop reads the node every 10 s and writes nothing.
        for _ in 0..<5 {
            try await sleeper.sleep(for: .seconds(10))
            try await manager.syncNodeStatus()
        }
        #expect(await client.patches.count == 1)
        // The runtime goes down: the next round writes.
        health.set(NodeHealth(runtimeErrors: ["container runtime is down"]))
        try await sleeper.sleep(for: .seconds(10))
        try await manager.syncNodeStatus()
        let patches = await client.patches
        #expect(patches.count == 2)
        #expect(seconds(since: registeredAt, patches[1].at) == 60)
        let ready = try #require(await client.node?.status?.conditions?.first { $0.type == "Ready" })
        #expect(ready.status == "False")
        #expect(ready.message == "container runtime is down")
        #expect(events.all.last?.reason == "NodeNotReady")

        // The run loop carries on: unchanged status is written again 5 minutes after the last write.
        // The sleeper stops the loop; run() returns normally then, as at shutdown.
        try await manager.run()
        let times = await client.patches.map { seconds(since: registeredAt, $0.at) }
        // (The run loop starts by polling every 100 ms for the runtime to come back; it does not,
        // so after 2 minutes the 10 s rounds take over.)
        #expect(times == [0, 60, 360])
        #expect(sleeper.recorded.suffix(20).allSatisfy { $0 == .seconds(10) })
        #expect(sleeper.recorded.filter { $0 == .milliseconds(100) }.count == 1 + 1200, "registration's first wait, then 2 minutes of 100 ms polls")
    }

    @Test func statusPatchBringsTheServersNodeToExactlyTheComputedStatus() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(60))
        let client = FakeNodeClient(clock: clock)
        let health = HealthSwitch()
        let manager = manager(client: client, clock: clock, sleeper: sleeper, health: health)
        try await manager.syncNodeStatus()
        var expected = try #require(await client.node)
        try await sleeper.sleep(for: .seconds(10))
        let pressure = NodeHealth(networkErrors: ["container runtime network not ready: <nil>"], diskPressure: true)
        health.set(pressure)
        _ = manager.builder.update(&expected.status, machine: testMachine, health: pressure, nowNanoseconds: clock.nowNanoseconds())
        try await manager.syncNodeStatus()
        #expect(await client.node?.status == expected.status)
        let patch = try #require(await client.patches.last?.patch)
        // Only the status moves, and only what changed in it: no capacity or nodeInfo.
        #expect(patch.objectValue?.keys == ["status"])
        #expect(patch.objectValue?["status"]?.objectValue?.keys == ["$setElementOrder/conditions", "conditions"])
    }

    @Test func notReadyNodeIsCheckedEveryHundredMillisecondsAndWrittenAsSoonAsItIsReady() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(5))
        let client = FakeNodeClient(clock: clock)
        // The runtime answers its status check on the sixth look.
        let looks = Mutex(0)
        let manager = NodeStatusManager(
            builder: NodeStatusBuilder(settings: testSettings()), client: client, machine: FixedMachineInfoSource(testMachine),
            health: {
                let count = looks.withLock { $0 += 1; return $0 }
                return count < 6 ? NodeHealth(runtimeErrors: ["container runtime status check may not have completed yet"]) : .healthy
            },
            clock: clock, sleeper: sleeper)
        try await manager.syncNodeStatus()
        #expect(await client.node?.status?.conditions?.first { $0.type == "Ready" }?.status == "False")
        try await manager.fastStatusUpdateUntilReady()
        #expect(await client.node?.status?.conditions?.first { $0.type == "Ready" }?.status == "True")
        // Registration's wait, then four 100 ms polls before the one that finds the runtime ready.
        #expect(sleeper.recorded == Array(repeating: .milliseconds(100), count: 5))
        #expect(await client.patches.map { seconds(since: nodeTestStart, $0.at) } == [0.1, 0.5])
    }

    @Test func registeredNodeIsReconciledWhenItAlreadyExists() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let existing = CoreV1.Node(
            metadata: MetaV1.ObjectMeta(
                annotations: ["volumes.kubernetes.io/controller-managed-attach-detach": "false"],
                labels: ["kubernetes.io/hostname": "old-name", "kubernetes.io/os": "linux", "team": "blue"],
                name: "node-a", uid: "uid-existing"),
            status: CoreV1.NodeStatus(capacity: ["hugepages-1Gi": Quantity(2 << 30), "cpu": Quantity(4)]))
        let client = FakeNodeClient(clock: clock, existing: existing)
        let events = Recorded<KubeletEvent>()
        let manager = manager(client: client, clock: clock, sleeper: ManualLoopSleeper(clock: clock, runFor: .seconds(1)), events: events)
        #expect(await manager.tryRegister())
        #expect(events.all.last?.message == "Node node-a status is now: NodeReady")
        #expect(await client.calls == [.create, .get, .patch])
        let node = try #require(await client.node)
        #expect(node.metadata?.uid == "uid-existing")
        #expect(node.metadata?.annotations?["volumes.kubernetes.io/controller-managed-attach-detach"] == "true")
        #expect(node.metadata?.labels?["kubernetes.io/hostname"] == "node-a")
        #expect(node.metadata?.labels?["kubernetes.io/arch"] == "amd64")
        #expect(node.metadata?.labels?["team"] == "blue", "labels the agent does not own are kept")
        #expect(node.status?.capacity?["hugepages-1Gi"] == nil)
        #expect(node.status?.capacity?["hugepages-2Mi"] == Quantity(1 << 30))
    }

    @Test func registrationRetriesWithBackoffFromHundredMillisecondsToSevenSeconds() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(60))
        let client = FakeNodeClient(clock: clock)
        await client.fail(.create, with: Array(repeating: KubeAPIFailure(.transport, "connection refused"), count: 8))
        let manager = manager(client: client, clock: clock, sleeper: sleeper)
        try await manager.registerWithAPIServer()
        #expect(sleeper.recorded == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
            .milliseconds(3200), .milliseconds(6400), .seconds(7), .seconds(7),
        ])
        #expect(await client.node != nil)
    }

    @Test func statusUpdateIsTriedFiveTimesPerRound() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(60))
        let client = FakeNodeClient(clock: clock)
        let manager = manager(client: client, clock: clock, sleeper: sleeper)
        try await manager.registerWithAPIServer()
        await client.fail(.get, with: Array(repeating: KubeAPIFailure(.status(500), "etcdserver: request timed out"), count: 7))
        await manager.updateNodeStatus()
        #expect(await client.calls == [.create] + Array(repeating: .get, count: 5))
        await manager.updateNodeStatus()
        #expect(await client.calls.suffix(4) == [.get, .get, .get, .patch])
    }

    @Test func podCIDRsReachTheCallbackWhenTheyAppearAndWhenTheyChange() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let sleeper = ManualLoopSleeper(clock: clock, runFor: .seconds(60))
        let client = FakeNodeClient(clock: clock)
        let cidrs = Recorded<[String]>()
        let manager = manager(client: client, clock: clock, sleeper: sleeper, cidrs: cidrs)
        try await manager.syncNodeStatus()
        #expect(cidrs.all.isEmpty)
        await client.setPodCIDRs(["10.244.1.0/24", "fd00:10:244:1::/64"])
        try await manager.syncNodeStatus()
        try await manager.syncNodeStatus()
        await client.setPodCIDRs(["10.244.7.0/24"])
        try await manager.syncNodeStatus()
        #expect(cidrs.all == [["10.244.1.0/24", "fd00:10:244:1::/64"], ["10.244.7.0/24"]])
        #expect(await client.patches.count == 3, "a new pod CIDR forces a status write")
    }
}
