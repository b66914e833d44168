import ContainerRuntime
import KubeAPI
import Testing

@testable import Kubelet

@Suite("PodActions decides what a sync does")
struct PodActionsTests {
    static func makePod(restartPolicy: String = "Always", initContainers: [CoreV1.Container] = [], containers: [String] = ["app"]) -> CoreV1.Pod {
        var spec = CoreV1.PodSpec(containers: containers.map { CoreV1.Container(image: "busybox:1.36", name: $0) })
        spec.restartPolicy = restartPolicy
        if !initContainers.isEmpty { spec.initContainers = initContainers }
        return CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: "p", namespace: "default", uid: "uid1"), spec: spec)
    }

    static func sandbox(_ state: PodSandboxState = .ready, ip: String = "10.88.0.2", attempt: UInt32 = 0) -> PodSandboxStatus {
        PodSandboxStatus(id: "sb\(attempt)", metadata: PodSandboxMetadata(name: "p", uid: "uid1", namespace: "default", attempt: attempt), state: state, createdAt: Int64(attempt), ip: ip)
    }

    /// A runtime container of `pod` named `name`, with the spec hash of the pod's container.
    static func container(
        _ name: String, _ state: RuntimeContainerState, exitCode: Int32 = 0, pod: CoreV1.Pod, id: String? = nil, createdAt: Int64 = 1
    ) -> RuntimeContainerStatus {
        let spec = ((pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? [])).first { $0.name == name }!
        return RuntimeContainerStatus(
            id: id ?? "c-\(name)", metadata: ContainerMetadata(name: name), state: state, createdAt: createdAt, exitCode: exitCode,
            image: ImageSpec("busybox:1.36"), imageRef: "sha256:1", annotations: [RuntimeLabels.containerHash: RuntimeLabels.hash(of: spec)])
    }

    static func status(_ sandboxes: [PodSandboxStatus], _ containers: [RuntimeContainerStatus]) -> RuntimePodStatus {
        RuntimePodStatus(uid: "uid1", name: "p", namespace: "default", sandboxes: sandboxes, containers: containers)
    }

    @Test func newPodGetsASandboxAndAllItsContainers() {
        let pod = Self.makePod(containers: ["a", "b"])
        let actions = PodActions.compute(pod: pod, status: Self.status([], []))
        #expect(actions.createSandbox)
        #expect(actions.attempt == 0)
        #expect(actions.containersToStart == [0, 1])
        #expect(actions.initContainersToStart.isEmpty)
    }

    @Test func newPodWithInitContainersStartsOnlyTheFirstInitContainer() {
        let pod = Self.makePod(initContainers: [CoreV1.Container(image: "busybox:1.36", name: "i1"), CoreV1.Container(image: "busybox:1.36", name: "i2")])
        let actions = PodActions.compute(pod: pod, status: Self.status([], []))
        #expect(actions.createSandbox)
        #expect(actions.initContainersToStart == [0])
        #expect(actions.containersToStart.isEmpty)
    }

    @Test func runningPodWithUnchangedSpecNeedsNothing() {
        let pod = Self.makePod()
        let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [Self.container("app", .running, pod: pod)]))
        #expect(actions == { var a = PodActions(); a.sandboxID = "sb0"; return a }())
    }

    @Test func initContainersRunInOrderEachToSuccessBeforeTheNext() {
        let pod = Self.makePod(initContainers: [CoreV1.Container(image: "busybox:1.36", name: "i1"), CoreV1.Container(image: "busybox:1.36", name: "i2")])
        let i1Running = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [Self.container("i1", .running, pod: pod)]))
        #expect(i1Running.initContainersToStart.isEmpty && i1Running.containersToStart.isEmpty && !i1Running.killPod)
        let i1Done = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [Self.container("i1", .exited, pod: pod)]))
        #expect(i1Done.initContainersToStart == [1])
        #expect(i1Done.containersToStart.isEmpty)
        let allDone = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [
            Self.container("i2", .exited, pod: pod, createdAt: 2), Self.container("i1", .exited, pod: pod),
        ]))
        #expect(allDone.containersToStart == [0])
    }

    @Test func failedInitContainerIsRetriedUnlessRestartPolicyIsNever() {
        for (policy, retried) in [("Always", true), ("OnFailure", true), ("Never", false)] {
            let pod = Self.makePod(restartPolicy: policy, initContainers: [CoreV1.Container(image: "busybox:1.36", name: "i1")])
            let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [Self.container("i1", .exited, exitCode: 1, pod: pod)]))
            #expect(actions.initContainersToStart == (retried ? [0] : []), "\(policy)")
            #expect(actions.initializationFailed == !retried, "\(policy)")
            #expect(actions.killPod == !retried, "\(policy)")
        }
    }

    @Test func sidecarIsStartedThenTheNextInitContainerRunsWhileItKeepsRunning() {
        var sidecar = CoreV1.Container(image: "busybox:1.36", name: "proxy")
        sidecar.restartPolicy = "Always"
        let pod = Self.makePod(initContainers: [sidecar, CoreV1.Container(image: "busybox:1.36", name: "setup")])
        let fresh = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], []))
        #expect(fresh.initContainersToStart == [0])
        let sidecarUp = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [Self.container("proxy", .running, pod: pod)]))
        #expect(sidecarUp.initContainersToStart == [1])
        let notStarted = PodActions.compute(
            pod: pod, status: Self.status([Self.sandbox()], [Self.container("proxy", .running, pod: pod)]), started: { _ in false })
        #expect(notStarted.initContainersToStart.isEmpty)
        let setupDone = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [
            Self.container("setup", .exited, pod: pod, createdAt: 2), Self.container("proxy", .running, pod: pod),
        ]))
        #expect(setupDone.containersToStart == [0])
        #expect(!setupDone.killPod)
    }

    @Test func exitedSidecarIsRestartedWhileTheMainContainerRuns() {
        var sidecar = CoreV1.Container(image: "busybox:1.36", name: "proxy")
        sidecar.restartPolicy = "Always"
        let pod = Self.makePod(restartPolicy: "Never", initContainers: [sidecar])
        let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [
            Self.container("app", .running, pod: pod, createdAt: 2), Self.container("proxy", .exited, exitCode: 1, pod: pod),
        ]))
        #expect(actions.initContainersToStart == [0])
        #expect(!actions.killPod)
    }

    @Test func sidecarsAreStoppedWithThePodWhenTheMainContainersAreDone() {
        var sidecar = CoreV1.Container(image: "busybox:1.36", name: "proxy")
        sidecar.restartPolicy = "Always"
        let pod = Self.makePod(restartPolicy: "Never", initContainers: [sidecar])
        let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [
            Self.container("app", .exited, pod: pod, createdAt: 2), Self.container("proxy", .running, pod: pod),
        ]))
        #expect(actions.killPod)
        #expect(!actions.createSandbox)
    }

    @Test func exitedContainerIsRestartedAsTheRestartPolicySays() {
        let table: [(String, Int32, Bool)] = [
            ("Always", 0, true), ("Always", 1, true), ("OnFailure", 0, false), ("OnFailure", 1, true), ("Never", 0, false), ("Never", 1, false),
        ]
        for (policy, exitCode, restarted) in table {
            let pod = Self.makePod(restartPolicy: policy)
            let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [Self.container("app", .exited, exitCode: exitCode, pod: pod)]))
            #expect(actions.containersToStart == (restarted ? [0] : []), "\(policy) exit \(exitCode)")
            #expect(actions.killPod == !restarted, "\(policy) exit \(exitCode): a pod with nothing left to run is stopped")
        }
    }

    @Test func changedContainerSpecIsKilledAndRestarted() {
        let old = Self.makePod()
        var new = old
        new.spec?.containers[0].image = "busybox:1.37"
        let actions = PodActions.compute(pod: new, status: Self.status([Self.sandbox()], [Self.container("app", .running, pod: old)]))
        #expect(actions.containersToKill.map(\.id) == ["c-app"])
        #expect(actions.containersToKill.first?.reason.contains("definition changed") == true)
        #expect(actions.containersToStart == [0])
    }

    @Test func failedLivenessProbeKillsAndRestartsTheContainer() {
        let pod = Self.makePod()
        let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox()], [Self.container("app", .running, pod: pod)]), livenessFailed: ["c-app"])
        #expect(actions.containersToKill.first?.reason.contains("liveness") == true)
        #expect(actions.containersToStart == [0])
    }

    @Test func deadSandboxIsReplacedWithTheNextAttempt() {
        let pod = Self.makePod()
        let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox(.notReady, attempt: 2)], [Self.container("app", .exited, pod: pod)]))
        #expect(actions.killPod && actions.createSandbox)
        #expect(actions.attempt == 3)
        #expect(actions.containersToStart == [0])
    }

    @Test func sandboxWithoutAnIPIsReplacedUnlessThePodUsesTheHostNetwork() {
        var pod = Self.makePod()
        #expect(PodActions.compute(pod: pod, status: Self.status([Self.sandbox(ip: "")], [])).createSandbox)
        pod.spec?.hostNetwork = true
        #expect(!PodActions.compute(pod: pod, status: Self.status([Self.sandbox(ip: "")], [])).createSandbox)
    }

    @Test func finishedNeverPodIsNotRestartedWhenItsSandboxIsGone() {
        let pod = Self.makePod(restartPolicy: "Never")
        let actions = PodActions.compute(pod: pod, status: Self.status([Self.sandbox(.notReady)], [Self.container("app", .exited, exitCode: 1, pod: pod)]))
        #expect(actions.killPod)
        #expect(!actions.createSandbox)
        #expect(actions.containersToStart.isEmpty)
    }
}
