import ContainerRuntime

/// What the runtime keeps on disk about a sandbox (`<state>/sandboxes/<id>/sandbox.json`).
struct SandboxRecord: Sendable, Codable {
    var id: String
    var config: PodSandboxConfig
    var runtimeHandler: String
    var createdAt: Int64
    var state: PodSandboxState
    var ips: [String]
    /// The pod cgroup, relative to the hierarchy root.
    var cgroupPath: String
    var directory: String
    var networkReady: Bool
    /// Host PID of the init of the pod's shared PID namespace, when the pod shares one.
    var podInitPID: Int32?
    /// The pod's `/dev/shm` on the host, bound into each container: a tmpfs of the sandbox at
    /// `<directory>/shm`, or the host's `/dev/shm` for a pod in the host's IPC namespace.
    var shmPath: String?

    /// Where the sandbox's own `/dev/shm` tmpfs is mounted.
    var shmMountPoint: String { directory + "/shm" }

    var namespaceDirectory: String { directory + "/ns" }
    func namespacePath(_ name: String) -> String { namespaceDirectory + "/" + name }

    var listItem: PodSandbox {
        PodSandbox(
            id: id, metadata: config.metadata, state: state, createdAt: createdAt, labels: config.labels,
            annotations: config.annotations, runtimeHandler: runtimeHandler)
    }
}
