import ContainerRuntime
import ContainerRuntimeTesting
import Foundation
import KubeAPI
import Testing

@testable import Kubelet

@Suite("Kubelet end to end on the fake runtime")
struct KubeletEndToEndTests {
    @Test func podFileBecomesARunningReadyPodWithUpstreamStatusFields() async throws {
        let harness = try KubeletHarness()
        try harness.write("web.yaml", podManifest("web"))
        let pod = try await harness.waitUntilReady("web")
        await harness.tearDown()
        let status = try #require(pod.status)
        #expect(status.phase == "Running")
        #expect(status.podIP == "10.88.0.2")
        #expect(status.podIPs?.map(\.ip) == ["10.88.0.2"])
        #expect(status.hostIP == "192.0.2.10")
        #expect(status.qosClass == "BestEffort")
        #expect(status.startTime != nil)
        #expect(status.conditions?.map(\.type) == ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"])
        #expect(status.conditions?.allSatisfy { $0.status == "True" } == true)
        let app = try #require(pod.containerStatus("app"))
        #expect(app.state?.running?.startedAt != nil)
        #expect(app.ready && app.started == true)
        #expect(app.restartCount == 0)
        #expect(app.image == "busybox:1.36")
        #expect(!app.imageID.isEmpty)
        #expect(app.containerID?.hasPrefix("swiftlet://") == true)
    }

    @Test func initContainersRunInOrderBeforeTheMainContainer() async throws {
        let harness = try KubeletHarness()
        try harness.write("init.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: init}
            spec:
              initContainers:
              - {name: first, image: busybox:1.36, command: [sh, -c, "exit 0"]}
              - {name: second, image: busybox:1.36, command: ["true"]}
              containers:
              - {name: app, image: busybox:1.36, command: [sleep, "3600"]}
            """)
        let pod = try await harness.waitUntilReady("init")
        let created = try await harness.runtime.listContainers(filter: ContainerFilter()).sorted { $0.createdAt < $1.createdAt }
        await harness.tearDown()
        #expect(created.map(\.metadata.name) == ["first", "second", "app"])
        for name in ["first", "second"] {
            let status = try #require(pod.containerStatus(name))
            #expect(status.state?.terminated?.reason == "Completed", "\(name)")
            #expect(status.ready, "\(name)")
        }
        #expect(pod.condition("Initialized")?.status == "True")
    }

    @Test func mainContainerWaitsWithPodInitializingWhileAnInitContainerRuns() async throws {
        let harness = try KubeletHarness()
        try harness.write("slowinit.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: slowinit}
            spec:
              initContainers:
              - {name: setup, image: busybox:1.36, command: [sleep, "3600"]}
              containers:
              - {name: app, image: busybox:1.36, command: [sleep, "3600"]}
            """)
        let pod = try await harness.waitForPod("slowinit", "init container running") { $0.containerStatus("setup")?.state?.running != nil }
        await harness.tearDown()
        #expect(pod.status?.phase == "Pending")
        #expect(pod.containerStatus("app")?.state?.waiting?.reason == "PodInitializing")
        #expect(pod.condition("Initialized")?.status == "False")
        #expect(pod.condition("Initialized")?.reason == "ContainersNotInitialized")
        #expect(pod.condition("Initialized")?.message == "containers with incomplete status: [setup]")
        #expect(pod.condition("Ready")?.message == "containers with unready status: [app]")
    }

    @Test func failingContainerUnderRestartPolicyNeverFailsThePodWithReasonError() async throws {
        let harness = try KubeletHarness()
        try harness.write("fail.yaml", podManifest("fail", command: ["sh", "-c", "exit 3"], restartPolicy: "Never"))
        let pod = try await harness.waitForPod("fail", "Failed") { $0.status?.phase == "Failed" }
        let calls = await harness.runtime.fake.calls
        await harness.tearDown()
        let terminated = try #require(pod.containerStatus("app")?.state?.terminated)
        #expect(terminated.exitCode == 3)
        #expect(terminated.reason == "Error")
        #expect(pod.condition("Ready")?.status == "False")
        #expect(calls.filter { $0 == "startContainer" }.count == 1)
    }

    @Test func containerThatExitsZeroUnderOnFailureSucceedsWithReasonCompleted() async throws {
        let harness = try KubeletHarness()
        try harness.write("job.yaml", podManifest("job", command: ["true"], restartPolicy: "OnFailure"))
        let pod = try await harness.waitForPod("job", "Succeeded") { $0.status?.phase == "Succeeded" }
        await harness.tearDown()
        #expect(pod.containerStatus("app")?.state?.terminated?.reason == "Completed")
        #expect(pod.condition("Ready")?.reason == "PodCompleted")
    }

    /// Back-off runs on the injected clock: nothing here sleeps through a delay.
    @Test func crashingContainerGoesIntoCrashLoopBackOffThatDoublesOnTheInjectedClock() async throws {
        let clock = ManualKubeletClock()
        let harness = try KubeletHarness(clock: clock)
        try harness.write("crash.yaml", podManifest("crash", command: ["false"]))
        // First exit: restarted at once. Second exit: back-off 10 s.
        let first = try await harness.waitForPod("crash", "CrashLoopBackOff") {
            $0.containerStatus("app")?.state?.waiting?.reason == "CrashLoopBackOff"
        }
        let app = try #require(first.containerStatus("app"))
        #expect(app.restartCount == 1)
        #expect(app.state?.waiting?.message?.hasPrefix("back-off 10s restarting failed container=app pod=crash-node1_default(") == true, "\(app)")
        #expect(app.lastState?.terminated?.exitCode == 1)
        #expect(app.lastState?.terminated?.reason == "Error")
        #expect(first.status?.phase == "Running")

        // Still within the 10 s: a sync changes nothing.
        await harness.sync(first)
        // The runtime stamps exits with the real time: start counting from now.
        clock.set(nanoseconds: WallClock.nowNanoseconds())
        clock.advance(by: .seconds(11))
        await harness.sync(first)
        let second = try await harness.waitForPod("crash", "the next back-off") {
            $0.containerStatus("app")?.state?.waiting?.message?.hasPrefix("back-off 20s") == true
        }
        #expect(second.containerStatus("app")?.restartCount == 2)
        let events = await harness.kubelet.events.events(for: "default/crash-node1")
        await harness.tearDown()
        #expect(events.contains { $0.reason == "BackOff" && $0.kind == .warning })
    }

    @Test func missingImageGivesErrImagePullThenImagePullBackOff() async throws {
        let clock = ManualKubeletClock()
        let harness = try KubeletHarness(clock: clock)
        try harness.write("noimage.yaml", podManifest("noimage", image: "registry.example/missing:1"))
        let first = try await harness.waitForPod("noimage", "ErrImagePull") { $0.containerStatus("app")?.state?.waiting?.reason == "ErrImagePull" }
        #expect(first.containerStatus("app")?.state?.waiting?.message?.contains("not found") == true)
        #expect(first.status?.phase == "Pending")
        await harness.sync(first)
        let backoff = try await harness.waitForPod("noimage", "ImagePullBackOff") { $0.containerStatus("app")?.state?.waiting?.reason == "ImagePullBackOff" }
        #expect(backoff.containerStatus("app")?.state?.waiting?.message == "Back-off pulling image \"registry.example/missing:1\"")
        #expect(harness.runtime.pulls == 1)
        clock.advance(by: .seconds(11))
        await harness.sync(first)
        _ = try await harness.waitForPod("noimage", "ErrImagePull again") { $0.containerStatus("app")?.state?.waiting?.reason == "ErrImagePull" }
        let pulls = harness.runtime.pulls
        await harness.tearDown()
        #expect(pulls == 2)
    }

    @Test func imagePullPolicyNeverWithoutTheImageGivesErrImageNeverPull() async throws {
        let harness = try KubeletHarness()
        try harness.write("never.yaml", podManifest("never", extra: "    imagePullPolicy: Never"))
        let pod = try await harness.waitForPod("never", "ErrImageNeverPull") { $0.containerStatus("app")?.state?.waiting?.reason == "ErrImageNeverPull" }
        await harness.tearDown()
        #expect(pod.containerStatus("app")?.state?.waiting?.message == "Container image \"busybox:1.36\" is not present with pull policy of Never")
        #expect(harness.runtime.pulls == 0)
    }

    @Test func missingConfigMapGivesCreateContainerConfigError() async throws {
        let harness = try KubeletHarness()
        try harness.write("cfg.yaml", podManifest("cfg", extra: """
                envFrom:
                - configMapRef: {name: absent}
            """))
        let pod = try await harness.waitForPod("cfg", "CreateContainerConfigError") {
            $0.containerStatus("app")?.state?.waiting?.reason == "CreateContainerConfigError"
        }
        await harness.tearDown()
        #expect(pod.containerStatus("app")?.state?.waiting?.message == "configmaps \"absent\" not found")
    }

    @Test func configMapFromTheManifestDirectoryFeedsTheEnvironment() async throws {
        let harness = try KubeletHarness()
        try harness.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {MODE: fast}\n")
        try harness.write("env.yaml", podManifest("env", extra: """
                envFrom:
                - configMapRef: {name: settings}
            """))
        _ = try await harness.waitUntilReady("env")
        await harness.tearDown()
        let config = try #require(harness.runtime.createdConfigs.first)
        #expect(config.envs.contains(KeyValue("MODE", "fast")))
        #expect(config.command == ["sleep", "3600"])
        #expect(config.logPath == "app/0.log")
        #expect(config.annotations[RuntimeLabels.restartCount] == "0")
        #expect(config.mounts.contains { $0.containerPath == "/dev/termination-log" })
    }

    @Test func restartedAgentAdoptsRunningContainersWithoutRestartingThem() async throws {
        let runtime = PullFailingRuntime()
        let first = try KubeletHarness(runtime: runtime)
        try first.write("web.yaml", podManifest("web"))
        let before = try await first.waitUntilReady("web")
        await first.stop()
        let startsBefore = await runtime.fake.calls.filter { $0 == "startContainer" || $0 == "runPodSandbox" }.count

        let second = try KubeletHarness(runtime: runtime, manifests: first.manifests)
        let after = try await second.waitUntilReady("web")
        await second.kubelet.workers.syncAll()
        try await Task.sleep(for: .milliseconds(100))
        let calls = await runtime.fake.calls
        await second.tearDown()
        #expect(after.metadata?.uid == before.metadata?.uid)
        #expect(after.containerStatus("app")?.containerID == before.containerStatus("app")?.containerID)
        #expect(after.containerStatus("app")?.restartCount == 0)
        #expect(calls.filter { $0 == "startContainer" || $0 == "runPodSandbox" }.count == startsBefore)
        #expect(!calls.contains("stopContainer"))
    }

    @Test func podNoSourceWantsAfterARestartIsStoppedAndRemoved() async throws {
        let runtime = PullFailingRuntime()
        let first = try KubeletHarness(runtime: runtime)
        try first.write("old.yaml", podManifest("old"))
        _ = try await first.waitUntilReady("old")
        await first.stop()
        try FileManager.default.removeItem(atPath: first.manifests + "/old.yaml")

        let second = try KubeletHarness(runtime: runtime, manifests: first.manifests)
        try await within(30, "the orphan's removal") {
            while try await !runtime.listPodSandboxes(filter: PodSandboxFilter()).isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let containers = try await runtime.listContainers(filter: ContainerFilter())
        await second.tearDown()
        #expect(containers.isEmpty)
    }

    @Test func badManifestsGiveEventsNamingTheFileWhileTheGoodPodRuns() async throws {
        let harness = try KubeletHarness()
        try harness.write("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n")
        try harness.write("unknown.yaml", podManifest("unknown", extra: "    imagePullPolcy: Always"))
        try harness.write("badname.yaml", podManifest("Bad_Name"))
        try harness.write("good.yaml", podManifest("good"))
        _ = try await harness.waitUntilReady("good")
        let events = try await within(30, "three InvalidManifest events") {
            while true {
                let events = await harness.kubelet.events.all.filter { $0.reason == "InvalidManifest" }
                if events.count >= 3 { return events }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let running = await harness.kubelet.statuses.all.map(\.fullName)
        await harness.tearDown()
        #expect(running == ["default/good-node1"])
        #expect(events.allSatisfy { $0.kind == .warning })
        #expect(events.contains { $0.message.contains("broken.yaml:") })
        #expect(events.contains { $0.message.contains("unknown.yaml:") && $0.message.contains("spec.containers[0].imagePullPolcy") })
        #expect(events.contains { $0.message.contains("badname.yaml:") && $0.message.contains("metadata.name") })
    }

    @Test func removedManifestStopsThePodGracefullyAndRemovesItWithItsLogDirectory() async throws {
        let harness = try KubeletHarness()
        try harness.write("gone.yaml", podManifest("gone", extra: "  terminationGracePeriodSeconds: 7"))
        let running = try await harness.waitUntilReady("gone")
        let logs = harness.state + "/logs/default_gone-node1_" + (running.metadata?.uid ?? "")
        let hadLogDirectory = FileManager.default.fileExists(atPath: logs)
        try FileManager.default.removeItem(atPath: harness.manifests + "/gone.yaml")
        try await within(30, "the pod's removal") {
            while await harness.kubelet.statuses.pod(named: "default/gone-node1") != nil {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let calls = await harness.runtime.fake.calls
        let sandboxes = try await harness.runtime.listPodSandboxes(filter: PodSandboxFilter())
        let keptLogDirectory = FileManager.default.fileExists(atPath: logs)
        await harness.tearDown()
        #expect(hadLogDirectory, "the kubelet makes \(logs) before the sandbox")
        #expect(!keptLogDirectory, "\(logs) is removed with the pod")
        let stop = try #require(calls.firstIndex(of: "stopContainer"))
        let remove = try #require(calls.firstIndex(of: "removeContainer"))
        #expect(stop < remove)
        #expect(calls.contains("stopPodSandbox"))
        #expect(sandboxes.isEmpty)
    }

    @Test func sidecarKeepsRunningBesideTheMainContainerAndCountsForReadiness() async throws {
        let harness = try KubeletHarness()
        try harness.write("side.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: side}
            spec:
              initContainers:
              - {name: proxy, image: busybox:1.36, command: [sleep, "3600"], restartPolicy: Always}
              containers:
              - {name: app, image: busybox:1.36, command: [sleep, "3600"]}
            """)
        let pod = try await harness.waitUntilReady("side")
        await harness.tearDown()
        #expect(pod.containerStatus("proxy")?.state?.running != nil)
        #expect(pod.containerStatus("proxy")?.ready == true)
        #expect(pod.containerStatus("app")?.state?.running != nil)
    }
}

@Suite("Kubelet with probes and hooks on the fake runtime")
struct KubeletProbeAndHookTests {
    @Test func readinessProbeDecidesWhenTheContainerAndPodAreReady() async throws {
        let harness = try KubeletHarness()
        try harness.write("probed.yaml", podManifest("probed", extra: """
                readinessProbe:
                  exec: {command: ["true"]}
                  periodSeconds: 1
            """))
        // A container with a readiness probe is not ready until the probe says so.
        let ready = try await harness.waitUntilReady("probed")
        await harness.tearDown()
        #expect(ready.containerStatus("app")?.ready == true)
        let calls = await harness.runtime.fake.calls
        #expect(calls.contains("execSync"))
    }

    @Test func failingLivenessProbeRestartsTheContainer() async throws {
        let harness = try KubeletHarness()
        try harness.write("live.yaml", podManifest("live", extra: """
                livenessProbe:
                  exec: {command: ["false"]}
                  periodSeconds: 1
                  failureThreshold: 1
            """))
        let restarted = try await harness.waitForPod("live", "a restart") { ($0.containerStatus("app")?.restartCount ?? 0) >= 1 }
        await harness.tearDown()
        #expect(restarted.containerStatus("app")?.lastState?.terminated != nil)
    }

    @Test func preStopHookRunsBeforeTheContainerIsStopped() async throws {
        let harness = try KubeletHarness()
        try harness.write("hook.yaml", podManifest("hook", extra: """
                lifecycle:
                  preStop:
                    exec: {command: ["true"]}
            """))
        _ = try await harness.waitUntilReady("hook")
        try FileManager.default.removeItem(atPath: harness.manifests + "/hook.yaml")
        try await within(30, "the pod's removal") {
            while await harness.kubelet.statuses.pod(named: "default/hook-node1") != nil {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let calls = await harness.runtime.fake.calls
        await harness.tearDown()
        let exec = try #require(calls.firstIndex(of: "execSync"))
        let stop = try #require(calls.firstIndex(of: "stopContainer"))
        #expect(exec < stop)
    }

    @Test func failingPostStartHookStopsTheContainerWithPostStartHookError() async throws {
        let harness = try KubeletHarness()
        try harness.write("post.yaml", podManifest("post", restartPolicy: "Never", extra: """
                lifecycle:
                  postStart:
                    exec: {command: ["false"]}
            """))
        let pod = try await harness.waitForPod("post", "the hook's failure") {
            $0.containerStatus("app")?.state?.waiting?.reason == "PostStartHookError" || $0.containerStatus("app")?.state?.terminated != nil
        }
        let events = await harness.kubelet.events.events(for: "default/post-node1")
        await harness.tearDown()
        #expect(pod.containerStatus("app")?.state?.running == nil)
        #expect(events.contains { $0.message.contains("PostStartHookError") })
    }
}

@Suite("Kubelet volumes on the fake runtime")
struct KubeletVolumeTests {
    @Test func configMapAndEmptyDirVolumesAreSetUpAndMountedIntoTheContainer() async throws {
        let harness = try KubeletHarness()
        try harness.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: site}\ndata: {index.html: hello}\n")
        try harness.write("vol.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: vol}
            spec:
              volumes:
              - {name: content, configMap: {name: site}}
              - {name: scratch, emptyDir: {}}
              containers:
              - name: app
                image: busybox:1.36
                command: [sleep, "3600"]
                volumeMounts:
                - {name: content, mountPath: /usr/share/www}
                - {name: scratch, mountPath: /tmp/scratch}
            """)
        let pod = try await harness.waitUntilReady("vol")
        let config = try #require(harness.runtime.createdConfigs.first { $0.metadata.name == "app" })
        let content = try #require(config.mounts.first { $0.containerPath == "/usr/share/www" })
        let page = try String(contentsOfFile: content.hostPath + "/index.html", encoding: .utf8)
        let uid = try #require(pod.metadata?.uid)
        await harness.tearDown()
        #expect(page == "hello")
        #expect(content.readonly)
        #expect(content.hostPath.contains("/pods/\(uid)/volumes/kubernetes.io~configmap/content"))
        #expect(config.mounts.contains { $0.containerPath == "/tmp/scratch" && !$0.readonly })
    }

    @Test func missingConfigMapVolumeKeepsTheContainersWaitingWithAFailedMountEvent() async throws {
        let harness = try KubeletHarness()
        try harness.write("novol.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: novol}
            spec:
              volumes:
              - {name: content, configMap: {name: absent}}
              containers:
              - {name: app, image: busybox:1.36, command: [sleep, "3600"], volumeMounts: [{name: content, mountPath: /data}]}
            """)
        let pod = try await harness.waitForPod("novol", "a status") { $0.status?.containerStatuses != nil }
        let events = try await within(30, "the FailedMount event") {
            while true {
                let events = await harness.kubelet.events.events(for: "default/novol-node1").filter { $0.reason == "FailedMount" }
                if !events.isEmpty { return events }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let created = harness.runtime.createdConfigs
        await harness.tearDown()
        #expect(pod.containerStatus("app")?.state?.waiting?.reason == "ContainerCreating")
        #expect(events.first?.message.contains("absent") == true, "\(events)")
        #expect(created.isEmpty)
    }
}

@Suite("Kubelet container resources on the fake runtime")
struct KubeletResourceTests {
    @Test func containerLimitsBecomeCgroupResourcesAndTheOOMScoreOfItsClass() async throws {
        let harness = try KubeletHarness()
        try harness.write("limited.yaml", podManifest("limited", extra: """
                resources:
                  limits: {cpu: 500m, memory: 64Mi}
            """))
        let pod = try await harness.waitUntilReady("limited")
        await harness.tearDown()
        let resources = try #require(harness.runtime.createdConfigs.first).linux.resources
        #expect(pod.status?.qosClass == "Guaranteed")
        #expect(resources.memoryLimitInBytes == 64 * 1024 * 1024)
        #expect(resources.cpuQuota == 50_000)
        #expect(resources.cpuPeriod == 100_000)
        #expect(resources.oomScoreAdj == -997)
    }
}

@Suite("Kubelet manifest edits on the fake runtime")
struct KubeletManifestEditTests {
    @Test func editedManifestReplacesThePodWithANewUIDAndStopsTheOldOne() async throws {
        let harness = try KubeletHarness()
        try harness.write("web.yaml", podManifest("web"))
        let old = try await harness.waitUntilReady("web")
        try harness.write("web.yaml", podManifest("web", image: "busybox:1.37"))
        let new = try await harness.waitForPod("web", "the edited pod Ready") {
            $0.metadata?.uid != old.metadata?.uid && $0.condition("Ready")?.status == "True"
        }
        try await within(30, "the old pod's removal") {
            while await harness.kubelet.statuses.pod(uid: old.metadata?.uid ?? "") != nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let running = try await harness.runtime.listContainers(filter: ContainerFilter(state: .running))
        await harness.tearDown()
        #expect(new.containerStatus("app")?.image == "busybox:1.37")
        #expect(running.count == 1)
        #expect(running.first?.labels[RuntimeLabels.podUID] == new.metadata?.uid)
    }
}
