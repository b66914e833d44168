import ContainerRuntime
import ContainerRuntimeTesting
import Foundation
import KubeAPI
import Testing

@testable import Kubelet

@Suite("Pod status as upstream computes it")
struct PodStatusGeneratorTests {
    static let now = MetaV1.Time(secondsSinceEpoch: 1_800_000_000)

    static func generate(_ pod: CoreV1.Pod, _ containers: [RuntimeContainerStatus], sync: PodSyncResult = PodSyncResult(), sandbox: Bool = true) -> CoreV1.PodStatus {
        let status = RuntimePodStatus(
            uid: "uid1", name: "p", namespace: "default", sandboxes: sandbox ? [PodActionsTests.sandbox()] : [], containers: containers)
        return PodStatusGenerator(hostIPs: ["192.0.2.10"]).generate(pod: pod, runtime: status, sync: sync, previous: nil, now: now)
    }

    @Test func phaseFollowsUpstreamGetPhase() {
        typealias Row = (policy: String, states: [(RuntimeContainerState, Int32)], phase: String)
        let table: [Row] = [
            ("Always", [(.running, 0), (.running, 0)], "Running"),
            ("Always", [(.exited, 0), (.exited, 1)], "Running"),
            ("OnFailure", [(.exited, 0), (.exited, 0)], "Succeeded"),
            ("OnFailure", [(.exited, 0), (.exited, 1)], "Running"),
            ("Never", [(.exited, 0), (.exited, 1)], "Failed"),
            ("Never", [(.exited, 0), (.exited, 0)], "Succeeded"),
            ("Never", [(.running, 0), (.exited, 1)], "Running"),
        ]
        for row in table {
            let pod = PodActionsTests.makePod(restartPolicy: row.policy, containers: ["a", "b"])
            let containers = zip(["a", "b"], row.states).map { name, state in
                PodActionsTests.container(name, state.0, exitCode: state.1, pod: pod, id: "c-\(name)")
            }
            #expect(Self.generate(pod, containers).phase == row.phase, "\(row.policy) \(row.states)")
        }
    }

    @Test func podWithoutContainersYetIsPendingWithContainerCreating() {
        let pod = PodActionsTests.makePod()
        let status = Self.generate(pod, [], sandbox: false)
        #expect(status.phase == "Pending")
        #expect(status.containerStatuses?.first?.state?.waiting?.reason == "ContainerCreating")
        #expect(status.conditions?.first { $0.type == "PodReadyToStartContainers" }?.status == "False")
    }

    @Test func oomKilledContainerShowsReasonOOMKilledAndTheRestartInLastState() {
        let pod = PodActionsTests.makePod()
        var killed = PodActionsTests.container("app", .exited, exitCode: 137, pod: pod, id: "old", createdAt: 1)
        killed.reason = "OOMKilled"
        var running = PodActionsTests.container("app", .running, pod: pod, id: "new", createdAt: 2)
        running.annotations[RuntimeLabels.restartCount] = "1"
        let status = Self.generate(pod, [running, killed])
        let app = status.containerStatuses?.first
        #expect(app?.state?.running != nil)
        #expect(app?.lastState?.terminated?.reason == "OOMKilled")
        #expect(app?.lastState?.terminated?.exitCode == 137)
        #expect(app?.restartCount == 1)
        #expect(app?.containerID == "swiftlet://new")
    }

    @Test func syncErrorBecomesTheWaitingReasonWithTheExitedContainerAsLastState() {
        let pod = PodActionsTests.makePod()
        var sync = PodSyncResult()
        sync.containerErrors["app"] = ContainerSyncError(reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=app pod=p_default(uid1)")
        let status = Self.generate(pod, [PodActionsTests.container("app", .exited, exitCode: 2, pod: pod)], sync: sync)
        let app = status.containerStatuses?.first
        #expect(app?.state?.waiting?.reason == "CrashLoopBackOff")
        #expect(app?.lastState?.terminated?.exitCode == 2)
        #expect(status.phase == "Running")
        #expect(status.conditions?.first { $0.type == "Ready" }?.reason == "ContainersNotReady")
    }

    @Test func qosClassIsComputedFromTheContainersResources() throws {
        let guaranteed = try pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: g}
            spec:
              containers:
              - name: app
                image: busybox:1.36
                resources: {limits: {cpu: 100m, memory: 64Mi}}
            """)
        #expect(Self.generate(guaranteed, []).qosClass == "Guaranteed")
        #expect(Self.generate(PodActionsTests.makePod(), []).qosClass == "BestEffort")
    }

    @Test func conditionTransitionTimeIsKeptWhileTheStatusStaysTheSame() {
        let pod = PodActionsTests.makePod()
        let containers = [PodActionsTests.container("app", .running, pod: pod)]
        let runtime = RuntimePodStatus(uid: "uid1", name: "p", namespace: "default", sandboxes: [PodActionsTests.sandbox()], containers: containers)
        let generator = PodStatusGenerator()
        let first = generator.generate(pod: pod, runtime: runtime, sync: PodSyncResult(), previous: nil, now: Self.now)
        let later = MetaV1.Time(secondsSinceEpoch: Self.now.secondsSinceEpoch + 60)
        let second = generator.generate(pod: pod, runtime: runtime, sync: PodSyncResult(), previous: first, now: later)
        #expect(second.conditions?.first { $0.type == "Ready" }?.lastTransitionTime == Self.now)
        #expect(second.startTime == first.startTime)
    }

    @Test func terminationMessageComesFromTheFileElseFromTheLogTailOnFailure() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let manager = RuntimeManager(runtime: FakeContainerRuntime())
        let messageFile = directory + "/message"
        try writeFile(messageFile, "disk full")
        var status = RuntimeContainerStatus(
            id: "c1", metadata: ContainerMetadata(name: "app"), state: .exited, createdAt: 1, exitCode: 1, image: ImageSpec("busybox"),
            imageRef: "sha256:1", annotations: [
                RuntimeLabels.terminationMessagePath: "/dev/termination-log", RuntimeLabels.terminationMessagePolicy: "FallbackToLogsOnError",
            ], mounts: [Mount(containerPath: "/dev/termination-log", hostPath: messageFile)])
        #expect(manager.terminationMessage(of: status) == "disk full")

        try writeFile(messageFile, "")
        var log: [UInt8] = []
        for i in 1...100 {
            log += CRILogLine(timestamp: Int64(i), channel: .stderr, isPartial: false, content: Array("line \(i)".utf8)).encoded
        }
        status.logPath = directory + "/0.log"
        try Data(log).write(to: URL(fileURLWithPath: status.logPath))
        let tail = manager.terminationMessage(of: status)
        #expect(tail.hasPrefix("line 21\n"))
        #expect(tail.hasSuffix("line 100"))

        status.exitCode = 0
        #expect(manager.terminationMessage(of: status) == "", "a success does not fall back to the log")
        status.exitCode = 1
        status.annotations[RuntimeLabels.terminationMessagePolicy] = "File"
        #expect(manager.terminationMessage(of: status) == "")
    }
}
