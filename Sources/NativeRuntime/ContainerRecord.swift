import ContainerRuntime

/// What the runtime keeps on disk about a container (`<state>/containers/<id>/container.json`).
struct ContainerRecord: Sendable, Codable {
    /// The container's lifecycle, each state with its own data.
    enum Lifecycle: Sendable, Codable, Equatable {
        case created(pid: Int32, monitorPID: Int32)
        case running(pid: Int32, monitorPID: Int32, startedAt: Int64)
        case exited(exitCode: Int32, startedAt: Int64, finishedAt: Int64, reason: String, message: String)

        var state: ContainerState {
            switch self {
            case .created: .created
            case .running: .running
            case .exited: .exited
            }
        }

        var pids: (pid: Int32, monitor: Int32)? {
            switch self {
            case .created(let pid, let monitor), .running(let pid, let monitor, _): (pid, monitor)
            case .exited: nil
            }
        }
    }

    var id: String
    var sandboxID: String
    var config: ContainerConfig
    var imageRef: String
    var createdAt: Int64
    var lifecycle: Lifecycle
    var directory: String
    var cgroupPath: String
    var logPath: String
    /// The resolved process, for exec: identity, env and working directory.
    var process: ContainerProcess
    var capabilities: UInt64
    var noNewPrivileges: Bool
    var seccompProgram: String?
    var stopSignal: Int32
    /// The message of a failed start, kept for the status once the container has exited.
    var startError: String?

    var status: ContainerStatus {
        var status = ContainerStatus(
            id: id, metadata: config.metadata, state: lifecycle.state, createdAt: createdAt, image: config.image,
            imageRef: imageRef, labels: config.labels, annotations: config.annotations, mounts: config.mounts, logPath: logPath)
        switch lifecycle {
        case .created(let pid, _):
            status.pid = pid
        case .running(let pid, _, let startedAt):
            status.pid = pid
            status.startedAt = startedAt
        case .exited(let exitCode, let startedAt, let finishedAt, let reason, let message):
            status.startedAt = startedAt
            status.finishedAt = finishedAt
            status.exitCode = exitCode
            status.reason = reason
            status.message = message
        }
        return status
    }

    var listItem: Container {
        Container(
            id: id, podSandboxID: sandboxID, metadata: config.metadata, image: config.image, imageRef: imageRef,
            state: lifecycle.state, createdAt: createdAt, labels: config.labels, annotations: config.annotations)
    }
}
