import ContainerRuntime
import ContainerRuntimeTesting
import Synchronization

/// The fake runtime, except that pulling an image whose name contains `missing` fails as a
/// registry answering "not found" would; pulls are counted and container configs kept.
final class PullFailingRuntime: ContainerRuntime {
    let fake: FakeContainerRuntime
    private let pullCount = Mutex(0)
    private let configs = Mutex<[ContainerConfig]>([])

    /// Every container config the kubelet created, in order.
    var createdConfigs: [ContainerConfig] { configs.withLock { $0 } }

    init(_ fake: FakeContainerRuntime = FakeContainerRuntime()) { self.fake = fake }

    var pulls: Int { pullCount.withLock { $0 } }

    func pullImage(_ image: ImageSpec, auth: AuthConfig?, sandboxConfig: PodSandboxConfig?) async throws -> String {
        pullCount.withLock { $0 += 1 }
        if image.image.contains("missing") {
            throw RuntimeError.failed("failed to pull and unpack image \"\(image.image)\": not found")
        }
        return try await fake.pullImage(image, auth: auth, sandboxConfig: sandboxConfig)
    }

    func version() async throws -> RuntimeVersion { try await fake.version() }
    func status() async throws -> RuntimeStatus { try await fake.status() }
    func runPodSandbox(_ config: PodSandboxConfig, runtimeHandler: String) async throws -> String {
        try await fake.runPodSandbox(config, runtimeHandler: runtimeHandler)
    }
    func stopPodSandbox(id: String) async throws { try await fake.stopPodSandbox(id: id) }
    func removePodSandbox(id: String) async throws { try await fake.removePodSandbox(id: id) }
    func podSandboxStatus(id: String) async throws -> PodSandboxStatus { try await fake.podSandboxStatus(id: id) }
    func listPodSandboxes(filter: PodSandboxFilter) async throws -> [PodSandbox] { try await fake.listPodSandboxes(filter: filter) }
    func createContainer(podSandboxID: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig) async throws -> String {
        configs.withLock { $0.append(config) }
        return try await fake.createContainer(podSandboxID: podSandboxID, config: config, sandboxConfig: sandboxConfig)
    }
    func startContainer(id: String) async throws { try await fake.startContainer(id: id) }
    func stopContainer(id: String, timeout: Int64) async throws { try await fake.stopContainer(id: id, timeout: timeout) }
    func removeContainer(id: String) async throws { try await fake.removeContainer(id: id) }
    func listContainers(filter: ContainerFilter) async throws -> [Container] { try await fake.listContainers(filter: filter) }
    func containerStatus(id: String) async throws -> ContainerStatus { try await fake.containerStatus(id: id) }
    func updateContainerResources(id: String, resources: LinuxContainerResources) async throws {
        try await fake.updateContainerResources(id: id, resources: resources)
    }
    func reopenContainerLog(id: String) async throws { try await fake.reopenContainerLog(id: id) }
    func execSync(containerID: String, command: [String], timeout: Int64) async throws -> ExecSyncResult {
        try await fake.execSync(containerID: containerID, command: command, timeout: timeout)
    }
    func exec(_ request: ExecRequest) async throws -> any ProcessStream { try await fake.exec(request) }
    func attach(_ request: AttachRequest) async throws -> any ProcessStream { try await fake.attach(request) }
    func containerStats(id: String) async throws -> ContainerStats { try await fake.containerStats(id: id) }
    func listContainerStats(filter: ContainerStatsFilter) async throws -> [ContainerStats] { try await fake.listContainerStats(filter: filter) }
    func containerEvents() async -> AsyncStream<ContainerEvent> { await fake.containerEvents() }
    func imageStatus(_ image: ImageSpec) async throws -> Image? { try await fake.imageStatus(image) }
    func listImages(filter: ImageSpec?) async throws -> [Image] { try await fake.listImages(filter: filter) }
    func removeImage(_ image: ImageSpec) async throws { try await fake.removeImage(image) }
    func imageFsInfo() async throws -> ImageFsInfo { try await fake.imageFsInfo() }
}
