import CSwiftletRuntime
import ContainerRuntime
import Glibc

extension NativeRuntime {
    /// The spec of a process that joins the running container: its namespaces and cgroup, and the
    /// container's user, capabilities, no_new_privs and seccomp program.
    private func execSpec(_ record: ContainerRecord, pid: Int32, command: [String], tty: Bool = false) throws -> String {
        guard !command.isEmpty else { throw RuntimeError.invalidArgument(field: "cmd", reason: "must not be empty") }
        var spec = InitSpec()
        spec.add("target_pid", pid)
        if tty {
            spec.add("tty", 1)
            spec.add("console_fd", 3)
        }
        for file in cgroups.joinFiles(record.cgroupPath) { spec.add("cgroup.join", file) }
        var process = record.process
        process.argv = command
        spec.addProcess(process)
        spec.addCapabilities(CapabilitySet(mask: record.capabilities))
        if record.noNewPrivileges { spec.add("no_new_privs", 1) }
        if let program = record.seccompProgram { spec.add("seccomp", program) }
        let path = "\(record.directory)/exec-\(Self.newID().prefix(16)).spec"
        try FileSystem.write(path, spec.bytes, mode: 0o600)
        return path
    }

    private func runningRecord(_ id: String, operation: String) throws -> (ContainerRecord, Int32) {
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        guard case .running(let pid, _, _) = record.lifecycle else {
            throw RuntimeError.invalidState(id: id, state: record.lifecycle.state.rawValue, operation: operation)
        }
        return (record, pid)
    }

    public func execSync(containerID: String, command: [String], timeout: Int64) async throws -> ExecSyncResult {
        let (record, pid) = try runningRecord(containerID, operation: "exec in")
        let specPath = try execSpec(record, pid: pid, command: command)
        defer { unlink(specPath) }
        let monitorPath = configuration.monitorPath
        let outcome = try await Blocking.run { try ExecSession.runToCompletion(monitorPath: monitorPath, specPath: specPath, timeout: timeout) }
        guard let result = outcome else {
            throw RuntimeError.timedOut(operation: "exec \(command.first ?? "") in container \(record.config.metadata.name)", seconds: timeout)
        }
        return result
    }

    public func exec(_ request: ExecRequest) async throws -> any ProcessStream {
        let (record, pid) = try runningRecord(request.containerID, operation: "exec in")
        let specPath = try execSpec(record, pid: pid, command: request.command, tty: request.tty)
        let monitorPath = configuration.monitorPath
        // The exec process removes the spec once it has read it.
        return try await Blocking.run {
            try ExecSession(monitorPath: monitorPath, specPath: specPath, stdin: request.stdin, tty: request.tty)
        }
    }

    public func attach(_ request: AttachRequest) async throws -> any ProcessStream {
        let (record, _) = try runningRecord(request.containerID, operation: "attach to")
        if request.stdin && !record.config.stdin {
            throw RuntimeError.invalidArgument(field: "stdin", reason: "container \(record.config.metadata.name) was not created with stdin")
        }
        let directory = record.directory
        let id = request.containerID
        return try await Blocking.run {
            try AttachSession(directory: directory, tty: record.config.tty) { [weak self] in
                guard let self else { throw RuntimeError.failed("the runtime is gone") }
                return try await self.exitCodeWhenExited(id)
            }
        }
    }

    /// Waits for the container to exit and returns its exit code.
    func exitCodeWhenExited(_ id: String) async throws -> Int32 {
        while !(await waitForExit(id, seconds: 3600)) {}
        return try await containerStatus(id: id).exitCode
    }
}
