import ContainerRuntime
import KubeAPI
import Synchronization
import Testing

@testable import Kubelet

@Suite("Runtime health for the Ready condition")
struct RuntimeHealthMonitorTests {
    final class StatusSource: Sendable {
        let next = Mutex<Result<RuntimeStatus, RuntimeError>>(.success(RuntimeStatus(conditions: [])))
        func set(_ value: Result<RuntimeStatus, RuntimeError>) { next.withLock { $0 = value } }
        func get() throws -> RuntimeStatus { try next.withLock { $0 }.get() }
    }

    static let ready = RuntimeStatus(conditions: [
        RuntimeCondition(type: "RuntimeReady", status: true), RuntimeCondition(type: "NetworkReady", status: true),
    ])

    @Test func problemsFollowRuntimeAndNetworkConditionsAndTheTwoMinuteThreshold() async throws {
        let clock = ManualKubeletClock(nanoseconds: nodeTestStart)
        let source = StatusSource()
        let monitor = RuntimeHealthMonitor(status: { try source.get() }, clock: clock)
        #expect(await monitor.problems().runtime == ["container runtime status check may not have completed yet"])

        source.set(.success(RuntimeStatus(conditions: [
            RuntimeCondition(type: "RuntimeReady", status: true),
            RuntimeCondition(type: "NetworkReady", status: false, reason: "NetworkPluginNotReady", message: "cni plugin not initialized"),
        ])))
        await monitor.check()
        var problems = await monitor.problems()
        #expect(problems.runtime.isEmpty)
        #expect(problems.network == ["container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized"])

        source.set(.success(Self.ready))
        await monitor.check()
        #expect(await monitor.health() == .healthy)

        // The runtime stops answering: after two minutes without a good check it is down.
        source.set(.failure(.failed("connection refused")))
        clock.advance(by: .seconds(119))
        await monitor.check()
        #expect(await monitor.health() == .healthy)
        clock.advance(by: .seconds(1))
        await monitor.check()
        problems = await monitor.problems()
        #expect(problems.runtime == ["container runtime is down"])

        source.set(.success(RuntimeStatus(conditions: [RuntimeCondition(type: "NetworkReady", status: true)])))
        await monitor.check()
        #expect(await monitor.problems().runtime == ["container runtime is down", "container runtime not ready: <nil>"])
    }

    @Test func readyMessageNestsEachSourceOfProblemsAsUpstreamAggregates() throws {
        let builder = NodeStatusBuilder(settings: testSettings())
        var status: CoreV1.NodeStatus?
        let health = NodeHealth(
            runtimeErrors: ["container runtime is down", "container runtime not ready: <nil>"],
            networkErrors: ["container runtime network not ready: <nil>"])
        _ = builder.update(&status, machine: testMachine, health: health, nowNanoseconds: nodeTestStart)
        let ready = try #require(status?.conditions?.first { $0.type == "Ready" })
        #expect(ready.message == "[[container runtime is down, container runtime not ready: <nil>], container runtime network not ready: <nil>]")
    }
}
