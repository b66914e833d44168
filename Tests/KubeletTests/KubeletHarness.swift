import ContainerRuntime
import ContainerRuntimeTesting
import Foundation
import KubeAPI
import Testing

@testable import Kubelet

/// A kubelet on a manifest directory and the fake runtime, as the agent would run it.
final class KubeletHarness: Sendable {
    let manifests: String
    let state: String
    let runtime: PullFailingRuntime
    let kubelet: Kubelet
    private let task: Task<Void, any Error>

    init(runtime: PullFailingRuntime = PullFailingRuntime(), manifests: String? = nil, clock: any KubeletClock = SystemKubeletClock()) throws {
        self.manifests = try manifests ?? makeTemporaryDirectory("manifests")
        self.state = try makeTemporaryDirectory("state")
        self.runtime = runtime
        let settings = KubeletSettings(
            nodeName: "node1", hostIPs: ["192.0.2.10"], syncFrequency: .seconds(3600), relistPeriod: .seconds(3600),
            runtime: RuntimeManager.Settings(
                podLogsRoot: state + "/logs", podsDirectory: state + "/pods",
                volumes: VolumeManager(root: state, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)))
        let source = ManifestDirectorySource(path: self.manifests, nodeName: "node1", checkFrequency: .seconds(3600))
        let kubelet = Kubelet(runtime: runtime, sources: [source], settings: settings, clock: clock)
        self.kubelet = kubelet
        task = Task { try await kubelet.run() }
    }

    /// Stops the kubelet (its pods keep running in the runtime), keeping the manifests.
    func stop() async {
        task.cancel()
        _ = await task.result
        removeDirectory(state)
    }

    /// Stops the kubelet and removes the manifests.
    func tearDown() async {
        await stop()
        removeDirectory(manifests)
    }

    func write(_ file: String, _ yaml: String) throws { try writeFile(manifests + "/" + file, yaml) }

    /// Waits until the pod `default/<name>-node1` satisfies `predicate`.
    func waitForPod(_ name: String, _ what: String, timeout: Double = 30, _ predicate: @escaping @Sendable (CoreV1.Pod) -> Bool) async throws -> CoreV1.Pod {
        let fullName = "default/\(name)-node1"
        let statuses = kubelet.statuses
        return try await within(timeout, "\(fullName): \(what)") {
            guard let pod = await statuses.first(where: { $0.fullName == fullName && predicate($0) }) else { throw TimedOut(what: what) }
            return pod
        }
    }

    func waitUntilReady(_ name: String) async throws -> CoreV1.Pod {
        try await waitForPod(name, "Ready") { $0.condition("Ready")?.status == "True" }
    }

    /// Asks the pod's worker to sync now (what a runtime event or the end of a back-off does).
    func sync(_ pod: CoreV1.Pod) async { await kubelet.workers.sync(uid: pod.metadata?.uid ?? "") }
}

/// A one-container pod manifest.
func podManifest(
    _ name: String, command: [String] = ["sleep", "3600"], image: String = "busybox:1.36", restartPolicy: String = "Always", extra: String = ""
) -> String {
    let argv = command.map { "\"\($0)\"" }.joined(separator: ", ")
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          labels: {app: \(name)}
        spec:
          restartPolicy: \(restartPolicy)
          containers:
          - name: app
            image: \(image)
            command: [\(argv)]
        \(extra)
        """
}
