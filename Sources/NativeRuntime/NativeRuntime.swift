// NativeRuntime: swiftlet's own container runtime. A pod sandbox is a set of namespaces (network,
// IPC, UTS) kept by bind mounts, a pod cgroup and the pod network; each container gets its own
// mount and PID namespaces, a cgroup, and a small `swiftlet-monitor` process that holds its stdio,
// writes its CRI log and records its exit, so containers outlive the agent. Everything between
// fork and exec is C (CSwiftletRuntime); this module decides what that C does.
//
// It must not know about the kubelet or the Kubernetes object model: it speaks ContainerRuntime.

import CSwiftletRuntime
import ContainerRuntime
import Glibc
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The native backend of `ContainerRuntime`.
///
/// Create it with `NativeRuntime.start(configuration:)`, which also re-adopts the containers a
/// previous agent left running and learns the exit codes of those that ended meanwhile.
public actor NativeRuntime: ContainerRuntime {
    let configuration: NativeRuntimeConfiguration
    let cgroups: any CgroupDriver
    let seccomp: SeccompCompiler
    let watcher: ProcessWatcher
    var sandboxes: [String: SandboxRecord] = [:]
    var containers: [String: ContainerRecord] = [:]
    /// pidfds of running containers' init processes, for signals that cannot hit a recycled PID.
    var containerPidfds: [String: Int32] = [:]
    private var subscribers: [Int: AsyncStream<ContainerEvent>.Continuation] = [:]
    private var exitWaiters: [String: [Int: CheckedContinuation<Bool, Never>]] = [:]
    private var nextToken = 0

    /// Records and files of sandboxes and of containers, on tmpfs (the run directory).
    var sandboxesDirectory: String { configuration.runDirectory + "/sandboxes" }
    var containersDirectory: String { configuration.runDirectory + "/containers" }
    /// Writable layers on disk, one directory per container whose rootfs provider wants one.
    var scratchRoot: String { configuration.stateDirectory + "/containers" }
    func scratchDirectory(_ id: String) -> String { scratchRoot + "/" + id }

    private init(configuration: NativeRuntimeConfiguration) throws {
        self.configuration = configuration
        self.cgroups = configuration.cgroups
        self.seccomp = SeccompCompiler(directory: configuration.runDirectory + "/seccomp")
        self.watcher = try ProcessWatcher()
    }

    /// Opens the runtime's state directory and re-adopts what an earlier agent left: running
    /// containers are watched again; containers that exited meanwhile get their recorded exit code.
    ///
    /// The runtime writes to pipes and sockets whose other end may be gone (an exec'd process that
    /// exited, a monitor that ended), so it sets SIGPIPE to be ignored in this process, as network
    /// servers do; the error then arrives as EPIPE. Monitors and containers get default signals.
    public static func start(configuration: NativeRuntimeConfiguration) async throws -> NativeRuntime {
        signal(SIGPIPE, SIG_IGN)
        let runtime = try NativeRuntime(configuration: configuration)
        try await runtime.recover()
        return runtime
    }

    /// Stops watching containers (they keep running, owned by their monitors). A runtime with
    /// no sandbox and no container left removes its run directory.
    public func shutdown() {
        watcher.shutdown()
        for fd in containerPidfds.values { close(fd) }
        containerPidfds.removeAll()
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
        if sandboxes.isEmpty && containers.isEmpty {
            // Only what the runtime made, entry by entry: the run directory may be one a person chose.
            for name in FileSystem.list(seccomp.directory) { unlink(seccomp.directory + "/" + name) }
            for directory in [seccomp.directory, sandboxesDirectory, containersDirectory, configuration.runDirectory] {
                rmdir(directory)
            }
        }
    }

    // MARK: Persistence and recovery

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    func save(_ record: SandboxRecord) throws {
        try FileSystem.writeAtomically(record.directory + "/sandbox.json", Array(try JSONEncoder().encode(record)))
    }

    func save(_ record: ContainerRecord) throws {
        try FileSystem.writeAtomically(record.directory + "/container.json", Array(try JSONEncoder().encode(record)))
    }

    private func recover() throws {
        try FileSystem.makeDirectories(sandboxesDirectory, mode: 0o711)
        try FileSystem.makeDirectories(containersDirectory, mode: 0o711)
        defer { removeOrphanedScratch() }
        for name in FileSystem.list(sandboxesDirectory) {
            guard let bytes = try? FileSystem.readBytes("\(sandboxesDirectory)/\(name)/sandbox.json"),
                let record = try? JSONDecoder().decode(SandboxRecord.self, from: Data(bytes))
            else { continue }
            sandboxes[record.id] = record
        }
        defer {
            configuration.logger.info(
                "runtime state recovered",
                metadata: ["sandboxes": "\(sandboxes.count)", "containers": "\(containers.count)",
                           "running": "\(containers.values.filter { $0.lifecycle.state == .running }.count)"])
        }
        for name in FileSystem.list(containersDirectory) {
            guard let bytes = try? FileSystem.readBytes("\(containersDirectory)/\(name)/container.json"),
                var record = try? JSONDecoder().decode(ContainerRecord.self, from: Data(bytes))
            else { continue }
            containers[record.id] = record
            guard let (pid, monitorPID) = record.lifecycle.pids else { continue }
            if FileSystem.exists(record.directory + "/exit") {
                finishExited(record.id)
                continue
            }
            let alive = Self.isMonitor(pid: monitorPID, of: record.directory)
            if alive, case .created = record.lifecycle, let startedAt = readStartedAt(record.directory) {
                record.lifecycle = .running(pid: pid, monitorPID: monitorPID, startedAt: startedAt)
                containers[record.id] = record
                try? save(record)
            }
            if alive, adopt(record.id, pid: pid, monitorPID: monitorPID) { continue }
            if FileSystem.exists(record.directory + "/exit") {
                finishExited(record.id)
            } else {
                markLost(record.id)
            }
        }
    }

    /// Writable layers of containers the run directory no longer knows: those a reboot ended
    /// (tmpfs forgot them) or whose removal an agent crash interrupted.
    private func removeOrphanedScratch() {
        for name in FileSystem.list(scratchRoot) where containers[name] == nil {
            FileSystem.removeTree(scratchDirectory(name))
        }
    }

    /// Whether `pid` is still the monitor of the container in `directory` (not a recycled PID).
    static func isMonitor(pid: Int32, of directory: String) -> Bool {
        guard let bytes = try? FileSystem.readBytes("/proc/\(pid)/cmdline") else { return false }
        let arguments = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.count == 3 && arguments[1] == "run" && arguments[2] == directory
    }

    /// Watches a container's monitor; returns false when it is already gone.
    func adopt(_ id: String, pid: Int32, monitorPID: Int32) -> Bool {
        let pidfd = SL_pidfd_open(pid)
        if pidfd >= 0 { containerPidfds[id] = pidfd }
        return watcher.watch(pid: monitorPID) { [weak self] in
            guard let self else { return }
            Task { await self.monitorExited(id) }
        }
    }

    func readStartedAt(_ directory: String) -> Int64? {
        (try? FileSystem.readText(directory + "/started")).flatMap { Int64($0.trimmingWhitespace) }
    }

    // MARK: Exits

    func monitorExited(_ id: String) {
        guard let record = containers[id], record.lifecycle.pids != nil else { return }
        if FileSystem.exists(record.directory + "/exit") { finishExited(id) } else { markLost(id) }
    }

    /// Records the exit the monitor wrote: code (128 + signal when killed), finish time, and the
    /// reason — OOMKilled when the cgroup's OOM killer fired.
    func finishExited(_ id: String) {
        guard var record = containers[id] else { return }
        let fields = ((try? FileSystem.readText(record.directory + "/exit")) ?? "").trimmingWhitespace.split(separator: " ")
        let status = fields.first.flatMap { Int32($0) } ?? 0xff00
        let finishedAt = fields.count > 1 ? Int64(fields[1]) ?? WallClock.nowNanoseconds() : WallClock.nowNanoseconds()
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        var startedAt: Int64 = 0
        if case .running(_, _, let started) = record.lifecycle { startedAt = started } else { startedAt = readStartedAt(record.directory) ?? 0 }
        let reason: String
        var message = ""
        if let startError = record.startError {
            reason = "StartError"
            message = startError
        } else if cgroups.oomKillCount(record.cgroupPath) > 0 {
            reason = ContainerStatus.reasonOOMKilled
        } else {
            reason = exitCode == 0 ? ContainerStatus.reasonCompleted : ContainerStatus.reasonError
        }
        record.lifecycle = .exited(exitCode: exitCode, startedAt: startedAt, finishedAt: finishedAt, reason: reason, message: message)
        settle(record)
    }

    /// The monitor is gone without recording an exit (killed, or the node rebooted).
    func markLost(_ id: String) {
        guard var record = containers[id] else { return }
        var startedAt: Int64 = 0
        if case .running(_, _, let started) = record.lifecycle { startedAt = started }
        record.lifecycle = .exited(
            exitCode: 255, startedAt: startedAt, finishedAt: WallClock.nowNanoseconds(), reason: "Unknown",
            message: "the container's monitor exited without recording an exit status")
        settle(record)
    }

    /// Metadata for a log line about a container: its pod and name, and its ID.
    func logMetadata(_ record: ContainerRecord) -> Logger.Metadata {
        let pod = sandboxes[record.sandboxID].map { "\($0.config.metadata.namespace)/\($0.config.metadata.name)" } ?? record.sandboxID
        return ["pod": "\(pod)", "container": "\(record.config.metadata.name)", "containerID": "\(record.id.prefix(12))"]
    }

    private func settle(_ record: ContainerRecord) {
        if case .exited(let exitCode, _, _, let reason, let message) = record.lifecycle {
            var metadata = logMetadata(record)
            metadata["exitCode"] = "\(exitCode)"
            metadata["reason"] = "\(reason)"
            if !message.isEmpty { metadata["message"] = "\(message)" }
            configuration.logger.info("container exited", metadata: metadata)
        }
        containers[record.id] = record
        try? save(record)
        if let fd = containerPidfds.removeValue(forKey: record.id) { close(fd) }
        if let waiters = exitWaiters.removeValue(forKey: record.id) {
            for continuation in waiters.values { continuation.resume(returning: true) }
        }
        publish(record.id, .stopped)
    }

    /// Waits until the container has exited, at most `seconds`. Returns whether it has.
    func waitForExit(_ id: String, seconds: Double) async -> Bool {
        guard let record = containers[id], record.lifecycle.pids != nil else { return true }
        let token = nextToken
        nextToken += 1
        return await withCheckedContinuation { continuation in
            exitWaiters[id, default: [:]][token] = continuation
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                self.expireWaiter(id, token)
            }
        }
    }

    private func expireWaiter(_ id: String, _ token: Int) {
        exitWaiters[id]?.removeValue(forKey: token)?.resume(returning: false)
    }

    // MARK: Events

    public func containerEvents() async -> AsyncStream<ContainerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ContainerEvent.self)
        let key = nextToken
        nextToken += 1
        subscribers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.unsubscribe(key) }
        }
        return stream
    }

    private func unsubscribe(_ key: Int) { subscribers[key] = nil }

    func publish(_ id: String, _ kind: ContainerEvent.Kind, sandboxID: String? = nil) {
        let record = containers[id]
        let event = ContainerEvent(
            containerID: id, kind: kind, createdAt: WallClock.nowNanoseconds(),
            podSandboxID: record?.sandboxID ?? sandboxID ?? "", status: kind == .deleted ? nil : record?.status)
        for continuation in subscribers.values { continuation.yield(event) }
    }

    // MARK: Runtime

    public func version() async throws -> RuntimeVersion {
        RuntimeVersion(runtimeName: "swiftlet-native", runtimeVersion: "0.1.0")
    }

    public func status() async throws -> RuntimeStatus {
        let problem = await configuration.network.readinessProblem()
        return RuntimeStatus(conditions: [
            RuntimeCondition(type: RuntimeCondition.runtimeReady, status: true),
            RuntimeCondition(type: RuntimeCondition.networkReady, status: problem == nil,
                             reason: problem == nil ? "" : "NetworkPluginNotReady", message: problem ?? ""),
        ])
    }
}
