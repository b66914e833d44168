/// The runtime half of CRI v1: pod sandboxes, containers, exec/attach and stats.
///
/// All methods are safe to call concurrently. Identifiers are the runtime's own (returned by
/// `runPodSandbox` and `createContainer`); methods taking an identifier throw
/// `RuntimeError.notFound` for one the runtime does not know, except the stop and remove methods,
/// which are idempotent as CRI requires.
public protocol RuntimeService: Sendable {
    /// The runtime's name and versions (CRI `Version`).
    func version() async throws -> RuntimeVersion
    /// Whether the runtime and its network are ready (CRI `Status`).
    func status() async throws -> RuntimeStatus

    /// Creates and starts a pod sandbox: its namespaces, cgroup and network. Returns its ID.
    func runPodSandbox(_ config: PodSandboxConfig, runtimeHandler: String) async throws -> String
    /// Stops every container of the sandbox and tears its network down. Idempotent.
    func stopPodSandbox(id: String) async throws
    /// Removes the sandbox and its containers, which are killed if still running. Idempotent.
    func removePodSandbox(id: String) async throws
    /// The sandbox's state, network and metadata.
    func podSandboxStatus(id: String) async throws -> PodSandboxStatus
    /// The sandboxes that match the filter.
    func listPodSandboxes(filter: PodSandboxFilter) async throws -> [PodSandbox]

    /// Creates a container in a sandbox; it does not run until `startContainer`. Returns its ID.
    func createContainer(
        podSandboxID: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig
    ) async throws -> String
    /// Starts a created container's process.
    func startContainer(id: String) async throws
    /// Sends the stop signal, then SIGKILL to every process once `timeout` seconds have passed
    /// (0: at once). Returns when the container has exited. Idempotent.
    func stopContainer(id: String, timeout: Int64) async throws
    /// Removes a container, killing it first if it still runs. Idempotent.
    func removeContainer(id: String) async throws
    /// The containers that match the filter.
    func listContainers(filter: ContainerFilter) async throws -> [Container]
    /// A container's state, times, exit code and reason.
    func containerStatus(id: String) async throws -> ContainerStatus
    /// Changes a running container's cgroup limits.
    func updateContainerResources(id: String, resources: LinuxContainerResources) async throws

    /// Makes the runtime reopen the container's log file (CRI `ReopenContainerLog`), after the
    /// kubelet has renamed it for rotation. Throws `invalidState` unless the container runs.
    func reopenContainerLog(id: String) async throws

    /// Runs a command in a container and collects its output. Throws `RuntimeError.timedOut`
    /// when `timeout` seconds (0: none) pass before it exits; the command is then killed.
    func execSync(containerID: String, command: [String], timeout: Int64) async throws -> ExecSyncResult
    /// Starts a command in a container with streams attached.
    func exec(_ request: ExecRequest) async throws -> any ProcessStream
    /// Attaches streams to a container's main process.
    func attach(_ request: AttachRequest) async throws -> any ProcessStream

    /// One container's CPU, memory and filesystem usage.
    func containerStats(id: String) async throws -> ContainerStats
    /// The stats of the containers that match the filter.
    func listContainerStats(filter: ContainerStatsFilter) async throws -> [ContainerStats]

    /// A stream of container lifecycle events (CRI `GetContainerEvents`), from now on. Each call
    /// returns a new, independent subscription; it ends when the consumer stops iterating.
    func containerEvents() async -> AsyncStream<ContainerEvent>
}
