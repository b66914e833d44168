// ContainerRuntimeTesting: the backend contract every `ContainerRuntime` must pass, and an
// in-memory fake backend for tests of the layers above (the kubelet). Linked only into tests and
// benchmarks, never into the shipped binary. Knows nothing of any real backend.

import ContainerRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An in-memory runtime that behaves like a real one for the commands the contract uses:
/// `sleep N` runs until stopped, `sh -c "exit N"` exits at once with N, `echo TEXT` writes TEXT
/// to stdout (and to the log file) and exits 0. Any other command runs until stopped.
///
/// It writes CRI log files like a real backend, emits events and enforces the same state rules.
public actor FakeContainerRuntime: ContainerRuntime {
    private struct SandboxRecord {
        var sandbox: PodSandbox
        var config: PodSandboxConfig
    }

    private struct ContainerRecord {
        var status: ContainerStatus
        var podSandboxID: String
        var config: ContainerConfig
    }

    private var sandboxes: [String: SandboxRecord] = [:]
    private var containers: [String: ContainerRecord] = [:]
    private var images: [String: Image] = [:]
    private var subscribers: [Int: AsyncStream<ContainerEvent>.Continuation] = [:]
    private var nextSubscriber = 0
    private var nextID = 0

    /// Calls made, in order, by name (e.g. `startContainer`), for tests that check the kubelet's calls.
    public private(set) var calls: [String] = []

    public init() {}

    private func makeID() -> String {
        nextID += 1
        let hex = String(nextID, radix: 16)
        return "fake" + String(repeating: "0", count: max(0, 60 - hex.count)) + hex
    }

    // MARK: RuntimeService

    public func version() async throws -> RuntimeVersion {
        calls.append("version")
        return RuntimeVersion(runtimeName: "fake", runtimeVersion: "0.0.0")
    }

    public func status() async throws -> RuntimeStatus {
        calls.append("status")
        return RuntimeStatus(conditions: [
            RuntimeCondition(type: RuntimeCondition.runtimeReady, status: true),
            RuntimeCondition(type: RuntimeCondition.networkReady, status: true),
        ])
    }

    public func runPodSandbox(_ config: PodSandboxConfig, runtimeHandler: String) async throws -> String {
        calls.append("runPodSandbox")
        let id = makeID()
        let sandbox = PodSandbox(
            id: id, metadata: config.metadata, state: .ready, createdAt: WallClock.nowNanoseconds(),
            labels: config.labels, annotations: config.annotations, runtimeHandler: runtimeHandler)
        sandboxes[id] = SandboxRecord(sandbox: sandbox, config: config)
        return id
    }

    public func stopPodSandbox(id: String) async throws {
        calls.append("stopPodSandbox")
        guard sandboxes[id] != nil else { return }
        for (containerID, record) in containers where record.podSandboxID == id && record.status.state == .running {
            finish(containerID, exitCode: 137, reason: ContainerStatus.reasonError)
        }
        sandboxes[id]?.sandbox.state = .notReady
    }

    public func removePodSandbox(id: String) async throws {
        calls.append("removePodSandbox")
        for (containerID, record) in containers where record.podSandboxID == id {
            if record.status.state == .running { finish(containerID, exitCode: 137, reason: ContainerStatus.reasonError) }
            remove(containerID)
        }
        sandboxes[id] = nil
    }

    public func podSandboxStatus(id: String) async throws -> PodSandboxStatus {
        calls.append("podSandboxStatus")
        guard let record = sandboxes[id] else { throw RuntimeError.notFound(kind: "pod sandbox", id: id) }
        let sandbox = record.sandbox
        return PodSandboxStatus(
            id: id, metadata: sandbox.metadata, state: sandbox.state, createdAt: sandbox.createdAt,
            ip: sandbox.state == .ready ? "10.88.0.2" : "", namespaceOptions: record.config.linux.securityContext.namespaceOptions,
            labels: sandbox.labels, annotations: sandbox.annotations, runtimeHandler: sandbox.runtimeHandler)
    }

    public func listPodSandboxes(filter: PodSandboxFilter) async throws -> [PodSandbox] {
        calls.append("listPodSandboxes")
        return sandboxes.values.map(\.sandbox).filter(filter.matches).sorted { $0.createdAt < $1.createdAt }
    }

    public func createContainer(podSandboxID: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig) async throws -> String {
        calls.append("createContainer")
        guard let sandbox = sandboxes[podSandboxID] else { throw RuntimeError.notFound(kind: "pod sandbox", id: podSandboxID) }
        guard sandbox.sandbox.state == .ready else {
            throw RuntimeError.invalidState(id: podSandboxID, state: "not ready", operation: "create a container in")
        }
        if config.metadata.name.isEmpty { throw RuntimeError.invalidArgument(field: "metadata.name", reason: "must not be empty") }
        let id = makeID()
        let logPath = config.logPath.isEmpty || sandboxConfig.logDirectory.isEmpty ? "" : sandboxConfig.logDirectory + "/" + config.logPath
        let status = ContainerStatus(
            id: id, metadata: config.metadata, state: .created, createdAt: WallClock.nowNanoseconds(), image: config.image,
            imageRef: config.image.image, labels: config.labels, annotations: config.annotations, mounts: config.mounts,
            logPath: logPath)
        containers[id] = ContainerRecord(status: status, podSandboxID: podSandboxID, config: config)
        publish(id, .created)
        return id
    }

    public func startContainer(id: String) async throws {
        calls.append("startContainer")
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        guard record.status.state == .created else {
            throw RuntimeError.invalidState(id: id, state: record.status.state.rawValue, operation: "start")
        }
        containers[id]?.status.state = .running
        containers[id]?.status.startedAt = WallClock.nowNanoseconds()
        containers[id]?.status.pid = 4242
        publish(id, .started)
        let argv = record.config.command + record.config.args
        switch Self.behaviour(of: argv) {
        case .exit(let code):
            finish(id, exitCode: code, reason: code == 0 ? ContainerStatus.reasonCompleted : ContainerStatus.reasonError)
        case .echo(let text):
            appendLog(record.status.logPath, text: text)
            finish(id, exitCode: 0, reason: ContainerStatus.reasonCompleted)
        case .runs:
            break
        }
    }

    public func stopContainer(id: String, timeout: Int64) async throws {
        calls.append("stopContainer")
        guard let record = containers[id] else { return }
        switch record.status.state {
        case .running: finish(id, exitCode: 137, reason: ContainerStatus.reasonError)
        case .created: finish(id, exitCode: 0, reason: ContainerStatus.reasonCompleted)
        case .exited, .unknown: break
        }
    }

    public func removeContainer(id: String) async throws {
        calls.append("removeContainer")
        guard let record = containers[id] else { return }
        if record.status.state == .running { finish(id, exitCode: 137, reason: ContainerStatus.reasonError) }
        remove(id)
    }

    public func listContainers(filter: ContainerFilter) async throws -> [Container] {
        calls.append("listContainers")
        return containers.values.map { record in
            Container(
                id: record.status.id, podSandboxID: record.podSandboxID, metadata: record.status.metadata,
                image: record.status.image, imageRef: record.status.imageRef, state: record.status.state,
                createdAt: record.status.createdAt, labels: record.status.labels, annotations: record.status.annotations)
        }.filter(filter.matches).sorted { $0.createdAt < $1.createdAt }
    }

    public func containerStatus(id: String) async throws -> ContainerStatus {
        calls.append("containerStatus")
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        return record.status
    }

    public func updateContainerResources(id: String, resources: LinuxContainerResources) async throws {
        calls.append("updateContainerResources")
        guard containers[id] != nil else { throw RuntimeError.notFound(kind: "container", id: id) }
        containers[id]?.config.linux.resources = resources
    }

    public func reopenContainerLog(id: String) async throws {
        calls.append("reopenContainerLog")
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        guard record.status.state == .running else {
            throw RuntimeError.invalidState(id: id, state: record.status.state.rawValue, operation: "reopen the log of")
        }
    }

    public func execSync(containerID: String, command: [String], timeout: Int64) async throws -> ExecSyncResult {
        calls.append("execSync")
        guard let record = containers[containerID] else { throw RuntimeError.notFound(kind: "container", id: containerID) }
        guard record.status.state == .running else {
            throw RuntimeError.invalidState(id: containerID, state: record.status.state.rawValue, operation: "exec in")
        }
        switch Self.behaviour(of: command) {
        case .exit(let code): return ExecSyncResult(stdout: [], stderr: [], exitCode: code)
        case .echo(let text): return ExecSyncResult(stdout: Array((text + "\n").utf8), stderr: [], exitCode: 0)
        case .runs:
            if timeout > 0 { throw RuntimeError.timedOut(operation: "exec in \(containerID)", seconds: timeout) }
            throw RuntimeError.unimplemented("execSync of a command that never exits without a timeout")
        }
    }

    public func exec(_ request: ExecRequest) async throws -> any ProcessStream {
        throw RuntimeError.unimplemented("exec")
    }

    public func attach(_ request: AttachRequest) async throws -> any ProcessStream {
        throw RuntimeError.unimplemented("attach")
    }

    public func containerStats(id: String) async throws -> ContainerStats {
        calls.append("containerStats")
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        return stats(of: record)
    }

    public func listContainerStats(filter: ContainerStatsFilter) async throws -> [ContainerStats] {
        calls.append("listContainerStats")
        let wanted = filter.containerFilter
        return containers.values.filter { record in
            wanted.matches(Container(
                id: record.status.id, podSandboxID: record.podSandboxID, metadata: record.status.metadata,
                image: record.status.image, imageRef: "", state: record.status.state, createdAt: 0,
                labels: record.status.labels, annotations: [:]))
        }.map(stats(of:))
    }

    public func containerEvents() async -> AsyncStream<ContainerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ContainerEvent.self)
        let key = nextSubscriber
        nextSubscriber += 1
        subscribers[key] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(key) } }
        return stream
    }

    // MARK: ImageService

    public func pullImage(_ image: ImageSpec, auth: AuthConfig?, sandboxConfig: PodSandboxConfig?) async throws -> String {
        calls.append("pullImage")
        let id = "sha256:" + String(repeating: "0", count: 56) + String(format8(UInt32(truncatingIfNeeded: image.image.hashValue)))
        images[image.image] = Image(id: id, repoTags: [image.image], size: 1_000_000)
        return id
    }

    public func imageStatus(_ image: ImageSpec) async throws -> Image? {
        calls.append("imageStatus")
        return images[image.image] ?? images.values.first { $0.id == image.image }
    }

    public func listImages(filter: ImageSpec?) async throws -> [Image] {
        calls.append("listImages")
        guard let filter else { return Array(images.values) }
        return images.values.filter { $0.repoTags.contains(filter.image) || $0.id == filter.image }
    }

    public func removeImage(_ image: ImageSpec) async throws {
        calls.append("removeImage")
        images[image.image] = nil
        images = images.filter { $0.value.id != image.image }
    }

    public func imageFsInfo() async throws -> ImageFsInfo {
        calls.append("imageFsInfo")
        let used = images.values.reduce(UInt64(0)) { $0 + $1.size }
        return ImageFsInfo(imageFilesystems: [
            FilesystemUsage(timestamp: WallClock.nowNanoseconds(), mountpoint: "/fake/images", usedBytes: used, inodesUsed: UInt64(images.count))
        ])
    }

    // MARK: Simulation

    private enum Behaviour { case exit(Int32), echo(String), runs }

    private static func behaviour(of argv: [String]) -> Behaviour {
        if argv.count == 3, argv[0].hasSuffix("sh"), argv[1] == "-c", argv[2].hasPrefix("exit "),
            let code = Int32(argv[2].dropFirst(5))
        {
            return .exit(code)
        }
        if argv.first == "echo" { return .echo(argv.dropFirst().joined(separator: " ")) }
        if argv.first == "true" { return .exit(0) }
        if argv.first == "false" { return .exit(1) }
        return .runs
    }

    private func finish(_ id: String, exitCode: Int32, reason: String) {
        containers[id]?.status.state = .exited
        containers[id]?.status.exitCode = exitCode
        containers[id]?.status.reason = reason
        containers[id]?.status.pid = 0
        containers[id]?.status.finishedAt = WallClock.nowNanoseconds()
        publish(id, .stopped)
    }

    private func remove(_ id: String) {
        guard let record = containers.removeValue(forKey: id) else { return }
        for continuation in subscribers.values {
            continuation.yield(ContainerEvent(
                containerID: id, kind: .deleted, createdAt: WallClock.nowNanoseconds(), podSandboxID: record.podSandboxID, status: nil))
        }
    }

    private func publish(_ id: String, _ kind: ContainerEvent.Kind) {
        guard let record = containers[id] else { return }
        let event = ContainerEvent(
            containerID: id, kind: kind, createdAt: WallClock.nowNanoseconds(), podSandboxID: record.podSandboxID, status: record.status)
        for continuation in subscribers.values { continuation.yield(event) }
    }

    private func unsubscribe(_ key: Int) { subscribers[key] = nil }

    private func stats(of record: ContainerRecord) -> ContainerStats {
        ContainerStats(
            id: record.status.id, metadata: record.status.metadata, labels: record.status.labels,
            annotations: record.status.annotations, timestamp: WallClock.nowNanoseconds(), cpuUsageCoreNanoSeconds: 0,
            memoryWorkingSetBytes: 0, memoryUsageBytes: 0, pids: record.status.state == .running ? 1 : 0)
    }

    private func appendLog(_ path: String, text: String) {
        guard !path.isEmpty else { return }
        let line = CRILogLine(timestamp: WallClock.nowNanoseconds(), channel: .stdout, isPartial: false, content: Array(text.utf8))
        var directory = ""
        for component in path.split(separator: "/").dropLast() {
            directory += "/" + component
            _ = mkdir(directory, 0o755)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = line.encoded
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    private func format8(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
