import ContainerRuntime
import ContainerRuntimeTesting
import KubeAPI
import Kubelet
import Synchronization
import Testing

@Suite struct ProbesWorkerTests {
    @Test func failuresAreReportedOnlyAfterFailureThresholdInARow() {
        var state = ProbeWorkerState(kind: .readiness, successThreshold: 1, failureThreshold: 3)
        #expect(state.observe(containerID: "a") == .failure)
        #expect(state.record(passed: true) == .success)
        #expect(state.record(passed: false) == nil)
        #expect(state.record(passed: false) == nil)
        #expect(state.record(passed: true) == .success, "a success breaks the run of failures")
        #expect(state.record(passed: false) == nil)
        #expect(state.record(passed: false) == nil)
        #expect(state.record(passed: false) == .failure)
        #expect(state.record(passed: false) == .failure, "readiness keeps probing and reporting")
        #expect(!state.onHold)
    }

    @Test func successesAreReportedOnlyAfterSuccessThresholdInARow() {
        var state = ProbeWorkerState(kind: .readiness, successThreshold: 2, failureThreshold: 1)
        _ = state.observe(containerID: "a")
        #expect(state.record(passed: true) == nil)
        #expect(state.record(passed: true) == .success)
    }

    @Test func livenessFailureHoldsUntilANewContainerAppears() {
        var state = ProbeWorkerState(kind: .liveness, successThreshold: 1, failureThreshold: 2)
        #expect(state.observe(containerID: "a") == .success)
        #expect(state.record(passed: false) == nil)
        #expect(state.record(passed: false) == .failure)
        #expect(state.onHold)
        #expect(state.observe(containerID: "a") == nil, "the same container stays on hold")
        #expect(state.onHold)
        #expect(state.observe(containerID: "b") == .success)
        #expect(!state.onHold)
    }

    @Test func startupStartsUnknown() {
        var state = ProbeWorkerState(kind: .startup, successThreshold: 1, failureThreshold: 3)
        #expect(state.observe(containerID: "a") == .unknown)
    }

    /// The worker loop with a clock that advances instantly: a liveness probe with period 10 s and
    /// failureThreshold 3 reports the failure at the third probe, 20 s of clock time after the first.
    @Test func livenessWorkerReportsFailureAfterThreeFailedPeriodsOnInjectedClock() async throws {
        let runtime = FakeContainerRuntime()
        let id = try await ProbesTests.runningContainer(runtime)
        let results = ProbeResults()
        let clock = SteppingClock()
        let failedAt = Mutex<Duration?>(nil)
        let probe = CoreV1.Probe(exec: CoreV1.ExecAction(command: ["sh", "-c", "exit 1"]), failureThreshold: 3, periodSeconds: 10)
        let worker = ProbeWorker(
            podUID: "u", container: CoreV1.Container(name: "c"), kind: .liveness, probe: probe, prober: Prober(runtime: runtime),
            results: results, clock: clock,
            observe: {
                if results.status(containerID: id, kind: .liveness) == .failure {
                    failedAt.withLock { $0 = $0 ?? clock.now.offset }
                    return .podGone
                }
                return .running(containerID: id, runningFor: .seconds(60), started: true, podIP: "10.0.0.1")
            })
        let updates = results.updates()
        await worker.run()
        #expect(failedAt.withLock { $0 } == .seconds(30), "observed one period after the third probe at 20 s")
        var seen: [ProbeStatus] = []
        for await update in updates {
            seen.append(update.status)
            if seen.count == 2 { break }
        }
        #expect(seen == [.success, .failure])
    }

    @Test func readinessWaitsForStartupAndInitialDelay() async throws {
        let runtime = FakeContainerRuntime()
        let id = try await ProbesTests.runningContainer(runtime)
        let results = ProbeResults()
        let worker = ProbeWorker(
            podUID: "u", container: CoreV1.Container(name: "c"), kind: .readiness,
            probe: CoreV1.Probe(exec: CoreV1.ExecAction(command: ["echo", "ok"]), initialDelaySeconds: 5),
            prober: Prober(runtime: runtime), results: results, clock: SteppingClock(), observe: { .podGone })
        let settings = ProbeSettings(worker.probe)
        var state = ProbeWorkerState(kind: .readiness, successThreshold: 1, failureThreshold: 3)

        let notStarted = ProbeWorker(
            podUID: "u", container: worker.container, kind: .readiness, probe: worker.probe, prober: worker.prober, results: results,
            clock: SteppingClock(), observe: { .running(containerID: id, runningFor: .seconds(60), started: false, podIP: "") })
        #expect(await notStarted.step(&state, settings: settings))
        #expect(results.status(containerID: id, kind: .readiness) == .failure)

        let early = ProbeWorker(
            podUID: "u", container: worker.container, kind: .readiness, probe: worker.probe, prober: worker.prober, results: results,
            clock: SteppingClock(), observe: { .running(containerID: id, runningFor: .seconds(2), started: true, podIP: "") })
        #expect(await early.step(&state, settings: settings))
        #expect(results.status(containerID: id, kind: .readiness) == .failure)

        let ready = ProbeWorker(
            podUID: "u", container: worker.container, kind: .readiness, probe: worker.probe, prober: worker.prober, results: results,
            clock: SteppingClock(), observe: { .running(containerID: id, runningFor: .seconds(6), started: true, podIP: "") })
        #expect(await ready.step(&state, settings: settings))
        #expect(results.status(containerID: id, kind: .readiness) == .success)
    }

    @Test func probeManagerStartsWorkersPerProbeAndStopsThemWithThePod() async throws {
        let runtime = FakeContainerRuntime()
        let id = try await ProbesTests.runningContainer(runtime)
        let manager = ProbeManager(prober: Prober(runtime: runtime))
        let container = CoreV1.Container(
            livenessProbe: CoreV1.Probe(exec: CoreV1.ExecAction(command: ["echo", "alive"])), name: "c",
            readinessProbe: CoreV1.Probe(exec: CoreV1.ExecAction(command: ["echo", "ready"])))
        let pod = CoreV1.Pod(metadata: MetaV1.ObjectMeta(uid: "pod-1"), spec: CoreV1.PodSpec(containers: [container]))
        let updates = manager.results.updates()
        await manager.addPod(pod, clock: ContinuousClock()) { _ in
            .running(containerID: id, runningFor: .seconds(1), started: true, podIP: "")
        }
        var readySeen = false
        for await update in updates where update.kind == .readiness && update.status == .success {
            readySeen = true
            break
        }
        #expect(readySeen)
        #expect(await manager.probedPods == ["pod-1"])
        await manager.removePod(uid: "pod-1")
        #expect(await manager.probedPods.isEmpty)
    }

    @Test func postStartExecHookFailureNamesCommandContainerAndPod() async throws {
        let runtime = FakeContainerRuntime()
        let id = try await ProbesTests.runningContainer(runtime)
        let container = CoreV1.Container(
            lifecycle: CoreV1.Lifecycle(postStart: CoreV1.LifecycleHandler(exec: CoreV1.ExecAction(command: ["sh", "-c", "exit 2"]))),
            name: "app")
        let pod = CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: "web", namespace: "shop", uid: "u1"), spec: CoreV1.PodSpec(containers: [container]))
        let error = await #expect(throws: HookRunner.Failure.self) {
            try await HookRunner(runtime: runtime).run(.postStart, pod: pod, container: container, containerID: id, podIP: "")
        }
        #expect(error?.reason == "FailedPostStartHook")
        #expect(error?.message.hasPrefix("Exec lifecycle hook ([sh -c exit 2]) for Container \"app\" in Pod \"web_shop(u1)\" failed - error: ") == true)
    }

    @Test func preStopHttpHookReachesServerAndSleepHookIsCutByDeadline() async throws {
        let server = try ProbesTests.server.get()
        let container = CoreV1.Container(
            lifecycle: CoreV1.Lifecycle(
                postStart: CoreV1.LifecycleHandler(sleep: CoreV1.SleepAction(seconds: 30)),
                preStop: CoreV1.LifecycleHandler(httpGet: CoreV1.HTTPGetAction(host: "127.0.0.1", path: "/ok?from=prestop", port: .int(Int32(server.port))))),
            name: "app")
        let pod = CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: "web", namespace: "shop", uid: "u1"), spec: CoreV1.PodSpec(containers: [container]))
        let runner = HookRunner(runtime: FakeContainerRuntime())
        try await runner.run(.preStop, pod: pod, container: container, containerID: "x", podIP: "10.1.1.1", deadline: .seconds(2))
        #expect(server.receivedPaths.contains("/ok?from=prestop"))

        // The sleep hook asks for 30 s; returning well before that shows the deadline cut it.
        let start = ContinuousClock.now
        try await runner.run(.postStart, pod: pod, container: container, containerID: "x", podIP: "", deadline: .milliseconds(100))
        #expect(ContinuousClock.now - start < .seconds(25))
    }
}
