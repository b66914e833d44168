import CSwiftletRuntime
import ContainerRuntime
import Glibc
import Logging

extension NativeRuntime {
    public func createContainer(podSandboxID: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig) async throws -> String {
        guard let sandbox = sandboxes[podSandboxID] else { throw RuntimeError.notFound(kind: "pod sandbox", id: podSandboxID) }
        guard sandbox.state == .ready else {
            throw RuntimeError.invalidState(id: podSandboxID, state: "not ready", operation: "create a container in")
        }
        let name = config.metadata.name
        guard !name.isEmpty else { throw RuntimeError.invalidArgument(field: "metadata.name", reason: "must not be empty") }
        let subject = "create container \(name) of pod \(sandbox.config.metadata.namespace)/\(sandbox.config.metadata.name)"
        let id = Self.newID()
        let directory = "\(containersDirectory)/\(id)"
        let cgroupPath = "\(sandbox.cgroupPath)/\(id)"
        let scratch = scratchDirectory(id)
        try FileSystem.makeDirectories(directory, mode: 0o711)
        do {
            let (rootfs, image, imageRef) = try await configuration.rootfs.prepareRootfs(
                image: config.image, containerID: id, scratchDirectory: scratch)
            var (spec, record) = try buildSpec(
                id: id, directory: directory, cgroupPath: cgroupPath, config: config, sandbox: sandbox,
                rootfs: rootfs, image: image, imageRef: imageRef)
            let devices = config.linux.securityContext.privileged ? nil : defaultDeviceRules + (try deviceRules(config.devices))
            if !record.logPath.isEmpty {
                spec.add("log.path", record.logPath)
                spec.add("log.max_size", configuration.logMaxSizeBytes)
                spec.add("log.max_files", configuration.logMaxFiles)
            }
            // The cgroup writes and the monitor's start run off the actor, so containers created
            // at once do not wait for each other.
            let (cgroups, resources, logPath, specBytes) = (self.cgroups, config.linux.resources, record.logPath, spec.bytes)
            let monitorPath = configuration.monitorPath
            let launch: MonitorClient.Launch
            do {
                launch = try await Blocking.run {
                    try cgroups.create(cgroupPath)
                    try cgroups.apply(cgroupPath, resources)
                    if let devices { _ = try cgroups.restrictDevices(cgroupPath, allowed: devices) }
                    if !logPath.isEmpty {
                        try FileSystem.makeDirectories(String(logPath[..<(logPath.lastIndex(of: "/") ?? logPath.endIndex)]))
                    }
                    try FileSystem.write(directory + "/spec", specBytes, mode: 0o600)
                    return try MonitorClient.launch(monitorPath: monitorPath, directory: directory)
                }
            } catch let failure as MonitorClient.InitFailure {
                throw RuntimeError.failed("\(subject): \(failure)")
            }
            // The actor ran other calls while the monitor started; the sandbox may be stopping.
            guard sandboxes[podSandboxID]?.state == .ready else {
                kill(launch.containerPID, SIGKILL)
                var status: Int32 = 0
                waitpid(launch.monitorPID, &status, 0)
                throw RuntimeError.invalidState(id: podSandboxID, state: "stopped while the container was created", operation: "create a container in")
            }
            record.lifecycle = .created(pid: launch.containerPID, monitorPID: launch.monitorPID)
            containers[id] = record
            try save(record)
            _ = adopt(id, pid: launch.containerPID, monitorPID: launch.monitorPID)
        } catch {
            containers[id] = nil
            cgroups.remove(cgroupPath)
            try? await configuration.rootfs.releaseRootfs(containerID: id)
            FileSystem.removeTree(directory)
            FileSystem.removeTree(scratch)
            if error is RuntimeError { throw error }
            throw RuntimeError.failed("\(subject): \(error)")
        }
        if let record = containers[id] { configuration.logger.info("container created", metadata: logMetadata(record)) }
        publish(id, .created)
        return id
    }

    /// Everything the init path will do, decided here.
    private func buildSpec(
        id: String, directory: String, cgroupPath: String, config: ContainerConfig, sandbox: SandboxRecord,
        rootfs: PreparedRootfs, image: ImageConfig, imageRef: String
    ) throws -> (InitSpec, ContainerRecord) {
        let security = config.linux.securityContext
        let privileged = security.privileged
        var spec = InitSpec()

        switch rootfs {
        case .directory(let path):
            spec.add("rootfs", path)
        case .overlay(let lower, let upper, let work):
            let merged = directory + "/rootfs"
            try FileSystem.makeDirectories(merged)
            spec.add("rootfs", merged)
            spec.add("overlay.lower", lower.joined(separator: ":"))
            spec.add("overlay.upper", upper)
            spec.add("overlay.work", work)
        }
        if security.readonlyRootfs { spec.add("readonly_rootfs", 1) }

        // Namespaces: the pod's IPC, UTS and network unless the host's is asked for.
        let namespaces = security.namespaceOptions
        if namespaces.ipc != .node { spec.add("ns.ipc", sandbox.namespacePath("ipc")) }
        if namespaces.network != .node {
            spec.add("ns.uts", sandbox.namespacePath("uts"))
            spec.add("ns.net", sandbox.namespacePath("net"))
        }
        switch namespaces.pid {
        case .container: break
        case .node: spec.add("ns.pid", "/proc/1/ns/pid")
        case .pod:
            guard let initPID = sandbox.podInitPID else {
                throw RuntimeError.invalidArgument(
                    field: "linux.securityContext.namespaceOptions.pid",
                    reason: "POD, but the sandbox was created without a shared PID namespace")
            }
            spec.add("ns.pid", "/proc/\(initPID)/ns/pid")
        case .target:
            guard let target = containers[namespaces.targetID], case .running(let targetPID, _, _) = target.lifecycle else {
                throw RuntimeError.invalidArgument(
                    field: "linux.securityContext.namespaceOptions.targetId", reason: "\(namespaces.targetID) is not a running container")
            }
            spec.add("ns.pid", "/proc/\(targetPID)/ns/pid")
        }
        for file in cgroups.joinFiles(cgroupPath) { spec.add("cgroup.join", file) }
        if cgroups.joinsItselfWithoutGlobalLock { spec.add("cgroup.self_join", 1) }
        spec.add("cgroupns", 1)
        for file in cgroups.joinFiles(sandbox.cgroupPath) { spec.add("monitor.cgroup.join", file) }

        // Mounts: defaults, the caller's (shallowest first), then the pod's /etc files unless given.
        let podShm = namespaces.ipc == .node ? "/dev/shm" : sandbox.shmPath
        for mount in InitSpec.defaultMounts(readonlySys: !privileged, podShm: podShm) { spec.add(mount) }
        for mount in cgroupMounts(cgroupPath, readonly: !privileged) { spec.add(mount) }
        let callerMounts = config.mounts.sorted { $0.containerPath.split(separator: "/").count < $1.containerPath.split(separator: "/").count }
        for (index, mount) in callerMounts.enumerated() {
            guard mount.containerPath.hasPrefix("/") else {
                throw RuntimeError.invalidArgument(field: "mounts[\(index)].containerPath", reason: "must be absolute, got \(mount.containerPath)")
            }
            var flags = UInt(0)
            if mount.readonly { flags |= UInt(MS_RDONLY) }
            switch mount.propagation {
            case .private: flags |= UInt(MS_PRIVATE)
            case .hostToContainer: flags |= UInt(MS_SLAVE)
            case .bidirectional: flags |= UInt(MS_SHARED)
            }
            switch mount.kind {
            case .bind:
                guard FileSystem.exists(mount.hostPath) else {
                    throw RuntimeError.invalidArgument(field: "mounts[\(index)].hostPath", reason: "\(mount.hostPath) does not exist")
                }
                spec.add(InitSpec.MountEntry(
                    destination: mount.containerPath, source: mount.hostPath, type: "bind", flags: flags | UInt(MS_BIND) | UInt(MS_REC), data: ""))
            case .tmpfs:
                spec.add(InitSpec.MountEntry(
                    destination: mount.containerPath, source: "tmpfs", type: "tmpfs", flags: (flags & UInt(MS_RDONLY)) | UInt(MS_NOSUID) | UInt(MS_NODEV),
                    data: mount.sizeBytes > 0 ? "size=\(mount.sizeBytes)" : ""))
            }
        }
        for file in ["hosts", "hostname", "resolv.conf"] where !config.mounts.contains(where: { $0.containerPath == "/etc/\(file)" }) {
            spec.add(InitSpec.MountEntry(
                destination: "/etc/\(file)", source: "\(sandbox.directory)/\(file)", type: "bind",
                flags: UInt(MS_BIND) | (security.readonlyRootfs ? UInt(MS_RDONLY) : 0), data: ""))
        }
        for (index, device) in config.devices.enumerated() {
            guard FileSystem.exists(device.hostPath), device.containerPath.hasPrefix("/") else {
                throw RuntimeError.invalidArgument(
                    field: "devices[\(index)]", reason: "host path \(device.hostPath) must exist and container path \(device.containerPath) be absolute")
            }
            spec.add(InitSpec.MountEntry(
                destination: device.containerPath, source: device.hostPath, type: "bind", flags: UInt(MS_BIND), data: ""))
        }
        if config.stdin { spec.add("stdin", 1) }
        if config.stdinOnce { spec.add("stdin_once", 1) }
        if config.tty { spec.add("tty", 1) }
        spec.add("default_devices", 1)
        if !privileged {
            for path in security.maskedPaths ?? InitSpec.defaultMaskedPaths { spec.add("masked", path) }
            for path in security.readonlyPaths ?? InitSpec.defaultReadonlyPaths { spec.add("readonly", path) }
        }

        // The process and who runs it.
        let argv = ContainerProcess.argv(image: image, command: config.command, args: config.args)
        guard !argv.isEmpty else {
            throw RuntimeError.invalidArgument(field: "command", reason: "no command given and the image has neither Entrypoint nor Cmd")
        }
        let sandboxSecurity = sandbox.config.linux.securityContext
        let identity = try UserResolver(layers: rootfs.readableLayers).resolve(
            runAsUser: security.runAsUser, runAsGroup: security.runAsGroup,
            user: security.runAsUsername.isEmpty ? image.user : security.runAsUsername,
            supplementalGroups: sandboxSecurity.supplementalGroups + security.supplementalGroups)
        let workingDir = !config.workingDir.isEmpty ? config.workingDir : (image.workingDir.isEmpty ? "/" : image.workingDir)
        let process = ContainerProcess(
            argv: argv,
            // containerd's CRI plugin sets HOSTNAME first; the image and the container may override it.
            env: ContainerProcess.environment(image: ["HOSTNAME=\(Self.hostname(of: sandbox.config))"] + image.env, container: config.envs),
            workingDir: workingDir,
            uid: identity.uid, gid: identity.gid, groups: identity.groups)
        spec.addProcess(process)
        spec.add("oom_score_adj", config.linux.resources.oomScoreAdj)

        let capabilities = try CapabilitySet.resolve(
            default: configuration.defaultCapabilities, add: security.addCapabilities, drop: security.dropCapabilities,
            privileged: privileged)
        spec.addCapabilities(capabilities)
        if security.noNewPrivs { spec.add("no_new_privs", 1) }

        var seccompProgram: String?
        if let profile = try seccompProfile(security.seccomp ?? sandboxSecurity.seccomp, capabilities: capabilities, privileged: privileged) {
            seccompProgram = try seccomp.programPath(for: profile)
            spec.add("seccomp", seccompProgram ?? "")
        }

        let signalName = !config.stopSignal.isEmpty ? config.stopSignal : image.stopSignal
        guard let stopSignal = Self.signalNumber(signalName) else {
            throw RuntimeError.invalidArgument(field: "stopSignal", reason: "unknown signal \(signalName)")
        }
        let logPath = config.logPath.isEmpty || sandbox.config.logDirectory.isEmpty ? "" : "\(sandbox.config.logDirectory)/\(config.logPath)"
        let record = ContainerRecord(
            id: id, sandboxID: sandbox.id, config: config, imageRef: imageRef, createdAt: WallClock.nowNanoseconds(),
            lifecycle: .created(pid: 0, monitorPID: 0), directory: directory, cgroupPath: cgroupPath, logPath: logPath,
            process: process, capabilities: capabilities.mask, noNewPrivileges: security.noNewPrivs,
            seccompProgram: seccompProgram, stopSignal: stopSignal)
        return (spec, record)
    }

    /// cgroup v1 rules (`c 10:229 rw`) for the devices the caller passes in.
    func deviceRules(_ devices: [Device]) throws -> [String] {
        try devices.enumerated().map { index, device in
            var info = stat()
            guard stat(device.hostPath, &info) == 0 else {
                throw RuntimeError.invalidArgument(field: "devices[\(index)].hostPath", reason: "\(device.hostPath): \(String(cString: strerror(errno)))")
            }
            let kind: String
            switch info.st_mode & S_IFMT {
            case S_IFCHR: kind = "c"
            case S_IFBLK: kind = "b"
            default: throw RuntimeError.invalidArgument(field: "devices[\(index)].hostPath", reason: "\(device.hostPath) is not a device node")
            }
            let permissions = device.permissions.filter { "rwm".contains($0) }
            // glibc's gnu_dev_major/gnu_dev_minor encoding of dev_t.
            let rdev = UInt64(info.st_rdev)
            let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~UInt64(0xfff))
            let minor = (rdev & 0xff) | ((rdev >> 12) & ~UInt64(0xff))
            return "\(kind) \(major):\(minor) \(permissions.isEmpty ? "rwm" : permissions)"
        }
    }

    /// The profile to compile, or nil for none: Unconfined, privileged, or no profile asked for.
    func seccompProfile(_ choice: SecurityProfile?, capabilities: CapabilitySet, privileged: Bool) throws -> SeccompProfile? {
        guard !privileged, let choice else { return nil }
        switch choice {
        case .unconfined: return nil
        case .runtimeDefault: return SeccompProfile.runtimeDefault(capabilities: capabilities)
        case .localhost(let path):
            do { return try SeccompProfile.load(ociJSONFile: path) } catch let error as SeccompProfileError {
                throw RuntimeError.invalidArgument(field: "securityContext.seccompProfile.localhostProfile", reason: error.description)
            }
        }
    }

    /// `/sys/fs/cgroup` as the container sees it through its cgroup namespace: its own cgroup as
    /// the root of each hierarchy, read-only unless privileged (as containerd mounts it).
    /// On v1 each controller's directory of the container is bound in (as runc does): mounting the
    /// v1 hierarchies anew costs milliseconds each on the start path.
    func cgroupMounts(_ cgroupPath: String, readonly: Bool) -> [InitSpec.MountEntry] {
        let flags = UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC) | (readonly ? UInt(MS_RDONLY) : 0)
        switch configuration.cgroupMode {
        case .v2:
            return [InitSpec.MountEntry(destination: "/sys/fs/cgroup", source: "cgroup", type: "cgroup2", flags: flags, data: "")]
        case .v1(let root, let controllers):
            var mounts = [InitSpec.MountEntry(
                destination: "/sys/fs/cgroup", source: "tmpfs", type: "tmpfs", flags: UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC),
                data: "mode=755,size=64k")]
            for controller in controllers {
                mounts.append(InitSpec.MountEntry(
                    destination: "/sys/fs/cgroup/\(controller)", source: "\(root)/\(controller)/\(cgroupPath)", type: "bind",
                    flags: UInt(MS_BIND) | flags, data: ""))
            }
            if readonly {
                mounts.append(InitSpec.MountEntry(
                    destination: "/sys/fs/cgroup", source: "", type: "remount", flags: UInt(MS_REMOUNT) | UInt(MS_BIND) | flags, data: ""))
            }
            return mounts
        }
    }

    /// The pod's hostname: the sandbox config's, or the pod name.
    static func hostname(of config: PodSandboxConfig) -> String {
        config.hostname.isEmpty ? config.metadata.name : config.hostname
    }

    /// `SIGTERM`, `TERM`, `15` → 15; empty → SIGTERM.
    static func signalNumber(_ name: String) -> Int32? {
        if name.isEmpty { return SIGTERM }
        if let number = Int32(name), number > 0, number < 65 { return number }
        let key = name.uppercased().hasPrefix("SIG") ? String(name.uppercased().dropFirst(3)) : name.uppercased()
        let table: [String: Int32] = [
            "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT, "BUS": SIGBUS,
            "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2, "PIPE": SIGPIPE,
            "ALRM": SIGALRM, "TERM": SIGTERM, "STKFLT": SIGSTKFLT, "CHLD": SIGCHLD, "CONT": SIGCONT, "STOP": SIGSTOP,
            "TSTP": SIGTSTP, "TTIN": SIGTTIN, "TTOU": SIGTTOU, "URG": SIGURG, "XCPU": SIGXCPU, "XFSZ": SIGXFSZ,
            "VTALRM": SIGVTALRM, "PROF": SIGPROF, "WINCH": SIGWINCH, "IO": SIGIO, "PWR": SIGPWR, "SYS": SIGSYS,
        ]
        return table[key]
    }

    public func startContainer(id: String) async throws {
        guard var record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        guard case .created(let pid, let monitorPID) = record.lifecycle else {
            throw RuntimeError.invalidState(id: id, state: record.lifecycle.state.rawValue, operation: "start")
        }
        let directory = record.directory
        let answer = try await Blocking.run { try MonitorClient.send("start", directory: directory) }
        let fields = answer.split(separator: " ")
        if fields.first == "started", fields.count == 2, let startedAt = Int64(fields[1]) {
            if case .created = containers[id]?.lifecycle {
                record.lifecycle = .running(pid: pid, monitorPID: monitorPID, startedAt: startedAt)
                containers[id] = record
                try save(record)
            }
            configuration.logger.info("container started", metadata: logMetadata(record))
            publish(id, .started)
            return
        }
        let failure: String
        if fields.first == "error", fields.count == 3, let step = Int32(fields[1]), let error = Int32(fields[2]) {
            failure = MonitorClient.InitFailure(step: step, errno: error).description
        } else {
            failure = "unexpected answer from the monitor: \(answer)"
        }
        if var current = containers[id] {
            current.startError = failure
            // The actor may have recorded the monitor's exit while this call awaited the answer;
            // that exit is this start failure, so it carries the start error as its reason.
            if case .exited(let exitCode, let startedAt, let finishedAt, _, _) = current.lifecycle {
                current.lifecycle = .exited(
                    exitCode: exitCode, startedAt: startedAt, finishedAt: finishedAt, reason: "StartError", message: failure)
            }
            containers[id] = current
            try? save(current)
        }
        var metadata = logMetadata(record)
        metadata["error"] = "\(failure)"
        configuration.logger.warning("container failed to start", metadata: metadata)
        throw RuntimeError.failed("start container \(record.config.metadata.name): \(failure)")
    }

    public func stopContainer(id: String, timeout: Int64) async throws {
        guard let record = containers[id], let (pid, _) = record.lifecycle.pids else { return }
        var signal = record.stopSignal
        if case .created = record.lifecycle { signal = SIGKILL }
        if timeout <= 0 { signal = SIGKILL }
        var metadata = logMetadata(record)
        metadata["signal"] = "\(signal)"
        metadata["timeout"] = "\(timeout)"
        configuration.logger.info("stopping container", metadata: metadata)
        sendSignal(id, pid: pid, signal)
        if signal != SIGKILL, await waitForExit(id, seconds: Double(timeout)) { return }
        // Every process of the container: the init (which takes its PID namespace with it) and
        // anything in its cgroup.
        if signal != SIGKILL { configuration.logger.info("container did not stop in time; killing it", metadata: logMetadata(record)) }
        sendSignal(id, pid: pid, SIGKILL)
        for process in cgroups.processes(record.cgroupPath) { kill(process, SIGKILL) }
        if await waitForExit(id, seconds: 30) { return }
        throw RuntimeError.timedOut(operation: "stop container \(record.config.metadata.name)", seconds: 30)
    }

    private func sendSignal(_ id: String, pid: Int32, _ signal: Int32) {
        if let pidfd = containerPidfds[id] {
            _ = SL_pidfd_send_signal(pidfd, signal)
        } else if pid > 0 {
            kill(pid, signal)
        }
    }

    public func removeContainer(id: String) async throws {
        guard let record = containers[id] else { return }
        if record.lifecycle.pids != nil { try await stopContainer(id: id, timeout: 0) }
        containers[id] = nil
        cgroups.remove(record.cgroupPath)
        try? await configuration.rootfs.releaseRootfs(containerID: id)
        FileSystem.removeTree(record.directory)
        FileSystem.removeTree(scratchDirectory(id))
        publish(id, .deleted, sandboxID: record.sandboxID)
    }

    public func reopenContainerLog(id: String) async throws {
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        guard case .running = record.lifecycle else {
            throw RuntimeError.invalidState(id: id, state: record.lifecycle.state.rawValue, operation: "reopen the log of")
        }
        let directory = record.directory
        let answer = try await Blocking.run { try MonitorClient.send("reopen", directory: directory) }
        guard answer == "reopened" else {
            throw RuntimeError.failed("reopen log of container \(record.config.metadata.name): monitor answered \(answer)")
        }
    }

    public func listContainers(filter: ContainerFilter) async throws -> [Container] {
        containers.values.map(\.listItem).filter(filter.matches).sorted { $0.createdAt < $1.createdAt }
    }

    public func containerStatus(id: String) async throws -> ContainerStatus {
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        return record.status
    }

    public func updateContainerResources(id: String, resources: LinuxContainerResources) async throws {
        guard var record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        try cgroups.apply(record.cgroupPath, resources)
        record.config.linux.resources = resources
        containers[id] = record
        try save(record)
    }
}
