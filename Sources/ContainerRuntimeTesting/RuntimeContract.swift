import ContainerRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The behaviour every `ContainerRuntime` backend must show, as reusable checks. A test target
/// runs each `Case` against its backend; a broken promise throws `ContractViolation`.
///
/// The commands used are the ones `FakeContainerRuntime` understands and a busybox image provides:
/// `sleep`, `sh -c "exit N"` and `echo`.
public struct RuntimeContract: Sendable {
    /// One promise of the contract.
    public enum Case: String, CaseIterable, Sendable {
        case sandboxIsReadyListedAndRemovable
        case stoppedSandboxIsNotReadyAndStopIsIdempotent
        case unknownIdentifiersAreNotFound
        case containerGoesFromCreatedToRunningToExited
        case exitCodeReasonAndTimesAreReported
        case stopAndRemoveOfAContainerAreIdempotent
        case startingAContainerTwiceIsRejected
        case eventsFollowTheContainerLifecycle
        case execSyncReturnsOutputAndExitCode
        case containerOutputIsLoggedInCRIFormat
        case removingASandboxRemovesItsContainers
        case listsFilterBySandboxStateAndLabels
    }

    public let runtime: any ContainerRuntime
    /// The image every container of the contract uses (must provide `sh`, `sleep` and `echo`).
    public let image: ImageSpec
    /// A scratch directory for pod log directories.
    public let logRoot: String
    /// The longest a container may take to reach a state the contract waits for.
    public let deadlineSeconds: Double

    public init(runtime: any ContainerRuntime, image: ImageSpec, logRoot: String, deadlineSeconds: Double = 10) {
        self.runtime = runtime
        self.image = image
        self.logRoot = logRoot
        self.deadlineSeconds = deadlineSeconds
    }

    /// Runs one promise; throws `ContractViolation` (or the backend's error) when it is broken.
    public func check(_ contractCase: Case) async throws {
        switch contractCase {
        case .sandboxIsReadyListedAndRemovable: try await sandboxIsReadyListedAndRemovable()
        case .stoppedSandboxIsNotReadyAndStopIsIdempotent: try await stoppedSandboxIsNotReady()
        case .unknownIdentifiersAreNotFound: try await unknownIdentifiersAreNotFound()
        case .containerGoesFromCreatedToRunningToExited: try await containerLifecycle()
        case .exitCodeReasonAndTimesAreReported: try await exitCodeReasonAndTimes()
        case .stopAndRemoveOfAContainerAreIdempotent: try await stopAndRemoveAreIdempotent()
        case .startingAContainerTwiceIsRejected: try await startTwiceIsRejected()
        case .eventsFollowTheContainerLifecycle: try await eventsFollowLifecycle()
        case .execSyncReturnsOutputAndExitCode: try await execSync()
        case .containerOutputIsLoggedInCRIFormat: try await outputIsLogged()
        case .removingASandboxRemovesItsContainers: try await removingSandboxRemovesContainers()
        case .listsFilterBySandboxStateAndLabels: try await listsFilter()
        }
    }

    // MARK: Fixtures

    private static let counter = Counter()

    /// A sandbox config with a unique pod name and UID and a log directory under `logRoot`.
    public func sandboxConfig(name: String) -> PodSandboxConfig {
        let serial = Self.counter.next()
        let metadata = PodSandboxMetadata(name: "\(name)-\(serial)", uid: "uid-\(getpid())-\(serial)", namespace: "contract")
        return PodSandboxConfig(
            metadata: metadata, hostname: "\(name)-\(serial)", logDirectory: metadata.logDirectory(root: logRoot),
            labels: ["contract": "true", "case": name])
    }

    /// A container config running `argv` from the contract image, logging to `<name>/0.log`.
    public func containerConfig(name: String, argv: [String], labels: [String: String] = [:]) -> ContainerConfig {
        ContainerConfig(
            metadata: ContainerMetadata(name: name), image: image, command: argv, labels: labels, logPath: "\(name)/0.log")
    }

    private func withSandbox<T>(_ name: String, _ body: (String, PodSandboxConfig) async throws -> T) async throws -> T {
        let config = sandboxConfig(name: name)
        let id = try await runtime.runPodSandbox(config, runtimeHandler: "")
        do {
            let result = try await body(id, config)
            try await runtime.stopPodSandbox(id: id)
            try await runtime.removePodSandbox(id: id)
            return result
        } catch {
            try? await runtime.stopPodSandbox(id: id)
            try? await runtime.removePodSandbox(id: id)
            throw error
        }
    }

    /// Waits for the event of `kind` for `containerID` on `events`.
    private func awaitEvent(
        _ events: AsyncStream<ContainerEvent>, containerID: String, kind: ContainerEvent.Kind
    ) async throws -> ContainerEvent {
        let deadline = deadlineSeconds
        return try await withThrowingTaskGroup(of: ContainerEvent?.self) { group in
            group.addTask {
                for await event in events where event.containerID == containerID && event.kind == kind { return event }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(deadline))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let event = first else {
                throw ContractViolation("no \(kind.rawValue) for container \(containerID) within \(deadline)s")
            }
            return event
        }
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ContractViolation(message()) }
    }

    private func expectNotFound(_ what: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
            throw ContractViolation("\(what) of an unknown identifier succeeded; expected RuntimeError.notFound")
        } catch let error as RuntimeError {
            guard case .notFound = error else { throw ContractViolation("\(what): expected notFound, got \(error)") }
        }
    }

    // MARK: Promises

    private func sandboxIsReadyListedAndRemovable() async throws {
        let config = sandboxConfig(name: "ready")
        let id = try await runtime.runPodSandbox(config, runtimeHandler: "")
        let status = try await runtime.podSandboxStatus(id: id)
        try expect(status.state == .ready, "a new sandbox is \(status.state), expected SANDBOX_READY")
        try expect(status.metadata == config.metadata, "sandbox status metadata \(status.metadata) != \(config.metadata)")
        try expect(status.labels == config.labels, "sandbox status labels \(status.labels) != \(config.labels)")
        try expect(status.createdAt > 0, "sandbox createdAt is \(status.createdAt), expected > 0")
        let listed = try await runtime.listPodSandboxes(filter: PodSandboxFilter(id: id))
        try expect(listed.map(\.id) == [id], "listing by id returned \(listed.map(\.id)), expected [\(id)]")
        try await runtime.stopPodSandbox(id: id)
        try await runtime.removePodSandbox(id: id)
        let after = try await runtime.listPodSandboxes(filter: PodSandboxFilter(id: id))
        try expect(after.isEmpty, "a removed sandbox is still listed")
        try await expectNotFound("podSandboxStatus") { _ = try await runtime.podSandboxStatus(id: id) }
        try await runtime.removePodSandbox(id: id)
    }

    private func stoppedSandboxIsNotReady() async throws {
        try await withSandbox("stopped") { id, _ in
            try await runtime.stopPodSandbox(id: id)
            try await runtime.stopPodSandbox(id: id)
            let status = try await runtime.podSandboxStatus(id: id)
            try expect(status.state == .notReady, "a stopped sandbox is \(status.state), expected SANDBOX_NOTREADY")
        }
    }

    private func unknownIdentifiersAreNotFound() async throws {
        let unknown = "0000000000000000000000000000000000000000000000000000000000000bad"
        try await expectNotFound("podSandboxStatus") { _ = try await runtime.podSandboxStatus(id: unknown) }
        try await expectNotFound("containerStatus") { _ = try await runtime.containerStatus(id: unknown) }
        try await expectNotFound("startContainer") { try await runtime.startContainer(id: unknown) }
        try await expectNotFound("createContainer") {
            _ = try await runtime.createContainer(
                podSandboxID: unknown, config: containerConfig(name: "orphan", argv: ["true"]),
                sandboxConfig: sandboxConfig(name: "orphan"))
        }
        try await runtime.stopContainer(id: unknown, timeout: 0)
        try await runtime.removeContainer(id: unknown)
        try await runtime.stopPodSandbox(id: unknown)
        try await runtime.removePodSandbox(id: unknown)
    }

    private func containerLifecycle() async throws {
        try await withSandbox("lifecycle") { sandboxID, sandboxConfig in
            let id = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "sleeper", argv: ["sleep", "600"]), sandboxConfig: sandboxConfig)
            let created = try await runtime.containerStatus(id: id)
            try expect(created.state == .created, "a new container is \(created.state), expected CONTAINER_CREATED")
            try expect(created.metadata.name == "sleeper", "container name is \(created.metadata.name)")
            try await runtime.startContainer(id: id)
            let running = try await runtime.containerStatus(id: id)
            try expect(running.state == .running, "a started container is \(running.state), expected CONTAINER_RUNNING")
            try expect(running.startedAt >= created.createdAt, "startedAt \(running.startedAt) < createdAt \(created.createdAt)")
            try await runtime.stopContainer(id: id, timeout: 0)
            let exited = try await runtime.containerStatus(id: id)
            try expect(exited.state == .exited, "a stopped container is \(exited.state), expected CONTAINER_EXITED")
            try expect(exited.finishedAt >= exited.startedAt, "finishedAt \(exited.finishedAt) < startedAt \(exited.startedAt)")
            try await runtime.removeContainer(id: id)
            try await expectNotFound("containerStatus after remove") { _ = try await runtime.containerStatus(id: id) }
        }
    }

    private func exitCodeReasonAndTimes() async throws {
        try await withSandbox("exitcode") { sandboxID, sandboxConfig in
            let events = await runtime.containerEvents()
            let failing = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "fails", argv: ["sh", "-c", "exit 3"]), sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: failing)
            _ = try await awaitEvent(events, containerID: failing, kind: .stopped)
            let status = try await runtime.containerStatus(id: failing)
            try expect(status.state == .exited, "container state \(status.state), expected CONTAINER_EXITED")
            try expect(status.exitCode == 3, "exit code \(status.exitCode), expected 3")
            try expect(status.reason == ContainerStatus.reasonError, "reason \(status.reason), expected Error")
            try expect(status.startedAt > 0 && status.finishedAt >= status.startedAt, "times started \(status.startedAt) finished \(status.finishedAt)")

            let events2 = await runtime.containerEvents()
            let succeeding = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "succeeds", argv: ["sh", "-c", "exit 0"]), sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: succeeding)
            _ = try await awaitEvent(events2, containerID: succeeding, kind: .stopped)
            let done = try await runtime.containerStatus(id: succeeding)
            try expect(done.exitCode == 0 && done.reason == ContainerStatus.reasonCompleted, "exit \(done.exitCode) reason \(done.reason), expected 0 Completed")
        }
    }

    private func stopAndRemoveAreIdempotent() async throws {
        try await withSandbox("idempotent") { sandboxID, sandboxConfig in
            let id = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "sleeper", argv: ["sleep", "600"]), sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: id)
            try await runtime.stopContainer(id: id, timeout: 0)
            try await runtime.stopContainer(id: id, timeout: 0)
            try await runtime.removeContainer(id: id)
            try await runtime.removeContainer(id: id)
        }
    }

    private func startTwiceIsRejected() async throws {
        try await withSandbox("twice") { sandboxID, sandboxConfig in
            let id = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "sleeper", argv: ["sleep", "600"]), sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: id)
            do {
                try await runtime.startContainer(id: id)
                throw ContractViolation("starting a running container succeeded; expected RuntimeError.invalidState")
            } catch let error as RuntimeError {
                guard case .invalidState = error else { throw ContractViolation("second start: expected invalidState, got \(error)") }
            }
            try await runtime.stopContainer(id: id, timeout: 0)
        }
    }

    private func eventsFollowLifecycle() async throws {
        try await withSandbox("events") { sandboxID, sandboxConfig in
            let events = await runtime.containerEvents()
            let id = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "sleeper", argv: ["sleep", "600"]), sandboxConfig: sandboxConfig)
            let created = try await awaitEvent(events, containerID: id, kind: .created)
            try expect(created.podSandboxID == sandboxID, "event sandbox \(created.podSandboxID), expected \(sandboxID)")
            try await runtime.startContainer(id: id)
            let started = try await awaitEvent(events, containerID: id, kind: .started)
            try expect(started.status?.state == .running, "started event carries state \(String(describing: started.status?.state))")
            try await runtime.stopContainer(id: id, timeout: 0)
            let stopped = try await awaitEvent(events, containerID: id, kind: .stopped)
            try expect(stopped.status?.state == .exited, "stopped event carries state \(String(describing: stopped.status?.state))")
            try await runtime.removeContainer(id: id)
            _ = try await awaitEvent(events, containerID: id, kind: .deleted)
        }
    }

    private func execSync() async throws {
        try await withSandbox("exec") { sandboxID, sandboxConfig in
            let id = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "sleeper", argv: ["sleep", "600"]), sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: id)
            let echo = try await runtime.execSync(containerID: id, command: ["echo", "hello"], timeout: 10)
            try expect(echo.stdoutText == "hello\n", "exec echo printed \(echo.stdoutText.debugDescription), expected \"hello\\n\"")
            try expect(echo.exitCode == 0, "exec echo exit code \(echo.exitCode)")
            let failing = try await runtime.execSync(containerID: id, command: ["sh", "-c", "exit 7"], timeout: 10)
            try expect(failing.exitCode == 7, "exec exit code \(failing.exitCode), expected 7")
            try await runtime.stopContainer(id: id, timeout: 0)
        }
    }

    private func outputIsLogged() async throws {
        try await withSandbox("logs") { sandboxID, sandboxConfig in
            let events = await runtime.containerEvents()
            let id = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "echo", argv: ["echo", "hello contract"]), sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: id)
            _ = try await awaitEvent(events, containerID: id, kind: .stopped)
            let status = try await runtime.containerStatus(id: id)
            let expectedPath = sandboxConfig.logDirectory + "/echo/0.log"
            try expect(status.logPath == expectedPath, "log path \(status.logPath), expected \(expectedPath)")
            let lines = CRILogLine.parseAll(try readFile(status.logPath))
            try expect(lines.count == 1, "log has \(lines.count) lines, expected 1: \(lines.map(\.text))")
            try expect(lines.first?.text == "hello contract", "log line \(lines.first?.text ?? "-")")
            try expect(lines.first?.channel == .stdout && lines.first?.isPartial == false, "log line is not a full stdout line")
            let now = WallClock.nowNanoseconds()
            try expect(abs(now - (lines.first?.timestamp ?? 0)) < 60_000_000_000, "log timestamp is not within a minute of now")
        }
    }

    private func removingSandboxRemovesContainers() async throws {
        let config = sandboxConfig(name: "removal")
        let sandboxID = try await runtime.runPodSandbox(config, runtimeHandler: "")
        let id = try await runtime.createContainer(
            podSandboxID: sandboxID, config: containerConfig(name: "sleeper", argv: ["sleep", "600"]), sandboxConfig: config)
        try await runtime.startContainer(id: id)
        try await runtime.stopPodSandbox(id: sandboxID)
        let stopped = try await runtime.containerStatus(id: id)
        try expect(stopped.state == .exited, "after stopping its sandbox a container is \(stopped.state), expected CONTAINER_EXITED")
        try await runtime.removePodSandbox(id: sandboxID)
        let left = try await runtime.listContainers(filter: ContainerFilter(podSandboxID: sandboxID))
        try expect(left.isEmpty, "containers of a removed sandbox are still listed: \(left.map(\.id))")
    }

    private func listsFilter() async throws {
        try await withSandbox("filters") { sandboxID, sandboxConfig in
            let running = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "a", argv: ["sleep", "600"], labels: ["role": "a"]),
                sandboxConfig: sandboxConfig)
            let created = try await runtime.createContainer(
                podSandboxID: sandboxID, config: containerConfig(name: "b", argv: ["sleep", "600"], labels: ["role": "b"]),
                sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: running)
            let inSandbox = try await runtime.listContainers(filter: ContainerFilter(podSandboxID: sandboxID))
            try expect(Set(inSandbox.map(\.id)) == [running, created], "sandbox filter returned \(inSandbox.map(\.id))")
            let byState = try await runtime.listContainers(filter: ContainerFilter(state: .running, podSandboxID: sandboxID))
            try expect(byState.map(\.id) == [running], "state filter returned \(byState.map(\.id))")
            let byLabel = try await runtime.listContainers(filter: ContainerFilter(podSandboxID: sandboxID, labelSelector: ["role": "b"]))
            try expect(byLabel.map(\.id) == [created], "label filter returned \(byLabel.map(\.id))")
            let sandboxes = try await runtime.listPodSandboxes(filter: PodSandboxFilter(state: .ready, labelSelector: ["case": "filters"]))
            try expect(sandboxes.map(\.id).contains(sandboxID), "sandbox label filter misses \(sandboxID)")
            try await runtime.stopContainer(id: running, timeout: 0)
        }
    }

    private func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ContractViolation("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            result += buffer[0..<count]
        }
        return result
    }
}

/// A broken promise of the runtime contract.
public struct ContractViolation: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
