// Logs: the container log manager. Rotates the CRI log files of running containers by size, as
// the kubelet does for runtimes that write the logs (KEP-2411), compresses rotated files, keeps
// at most `containerLogMaxFiles` per container and removes a container's logs with it. It knows
// the runtime only through `RuntimeService` (status, list, `reopenContainerLog`, events).

import ContainerRuntime
import Foundation
import Logging
import ServiceLifecycle

/// Rotates the logs of running containers every `monitorInterval`:
///
/// 1. each running container's log (its status' `logPath`) is checked, by up to `maxWorkers` at once;
///    a log smaller than `maxSize` is left alone;
/// 2. for a log to rotate, files a crash left (`*.tmp`, originals whose `.gz` exists) are removed,
///    then the oldest rotated files beyond `maxFiles - 2`, and every remaining rotated file is gzipped;
/// 3. the log is renamed to `<log>.<YYYYMMDD-hhmmss>` and the runtime asked to reopen it
///    (`ReopenContainerLog`); if that fails the rename is undone, to be tried again next round.
///
/// So a container has at most `maxFiles` files: the current log, the newest rotated one
/// uncompressed (a follower may still be reading it) and older ones gzipped. A log found missing
/// (a reopen and its rollback both failed) is recreated by asking the runtime to reopen it.
/// When the runtime removes a container, its logs are removed too (the kubelet's `Clean`).
public actor ContainerLogManager: Service {
    /// The runtime whose containers' logs are rotated.
    public nonisolated let runtime: any RuntimeService
    /// Sizes, counts and the interval.
    public nonisolated let policy: ContainerLogPolicy
    nonisolated let timeZone: TimeZone
    nonisolated let now: @Sendable () -> Date
    nonisolated let logger: Logger
    /// The log path of each container seen, so its logs can be removed after the runtime forgot it.
    private var logPaths: [String: String] = [:]

    /// A manager for `runtime`'s containers. `now` and `timeZone` name the rotated files (the
    /// kubelet uses local time).
    public init(
        runtime: any RuntimeService, policy: ContainerLogPolicy, timeZone: TimeZone = .current,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.runtime = runtime
        self.policy = policy
        self.timeZone = timeZone
        self.now = now
        self.logger = logger
    }

    /// Rotates every `monitorInterval` and cleans removed containers' logs until graceful shutdown.
    public nonisolated func run() async throws {
        let events = await runtime.containerEvents()
        await rememberLogPaths()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.cleanRemovedContainers(events) }
                group.addTask {
                    while !Task.isCancelled {
                        await self.rotateLogs()
                        do { try await Task.sleep(for: self.policy.monitorInterval) } catch { return }
                    }
                }
            }
        }
    }

    /// One round: checks every running container's log and rotates those at `maxSize` or more,
    /// `maxWorkers` containers at a time. A container whose rotation fails is logged and retried
    /// next round; it does not hold up the others.
    public nonisolated func rotateLogs() async {
        let running: [Container]
        do {
            running = try await runtime.listContainers(filter: ContainerFilter(state: .running))
        } catch {
            logger.warning("cannot list containers to rotate their logs", metadata: ["error": "\(error)"])
            return
        }
        await withTaskGroup(of: Void.self) { group in
            var pending = running.makeIterator()
            for _ in 0..<policy.maxWorkers {
                guard let container = pending.next() else { break }
                group.addTask { await self.processContainer(container) }
            }
            while await group.next() != nil {
                if let container = pending.next() { group.addTask { await self.processContainer(container) } }
            }
        }
    }

    /// Removes every log file of the container (the kubelet's `Clean`): the current one and the
    /// rotated ones. Uses the runtime's status, or the path remembered when the runtime already
    /// removed the container; a container never seen has nothing to remove.
    /// - Throws: `ContainerLogError.file` naming a file that could not be removed.
    public func clean(containerID: String) async throws(ContainerLogError) {
        let status = try? await runtime.containerStatus(id: containerID)
        guard let log = status?.logPath ?? logPaths[containerID] else { return }
        logPaths[containerID] = nil
        guard !log.isEmpty else { return }
        for file in ContainerLogFiles.rotated(of: log) + [log] { try ContainerLogFiles.remove(file) }
    }

    /// Checks one running container's log and rotates it when it is too big.
    nonisolated func processContainer(_ container: Container) async {
        var metadata: Logger.Metadata = ["container": "\(container.metadata.name)", "id": "\(container.id)"]
        if let namespace = container.labels[RuntimeLabels.podNamespace], let pod = container.labels[RuntimeLabels.podName] {
            metadata["pod"] = "\(namespace)/\(pod)"
        }
        do {
            let log = try await runtime.containerStatus(id: container.id).logPath
            guard !log.isEmpty else { return }
            await remember(container.id, log)
            try await rotateIfFull(containerID: container.id, log: log)
        } catch {
            logger.error("cannot rotate container log", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Rotates `log` if it has reached `maxSize`; see the type's description for the steps.
    /// - Throws: `ContainerLogError` for the step that failed.
    nonisolated func rotateIfFull(containerID: String, log: String) async throws {
        var size = try ContainerLogFiles.size(log)
        if size == nil {
            // A rotation whose reopen and rollback both failed leaves no current log; reopening makes one.
            try await runtime.reopenContainerLog(id: containerID)
            size = try ContainerLogFiles.size(log)
        }
        guard let size, size >= policy.maxSize else { return }
        var rotated = try ContainerLogFiles.removeUnfinished(ContainerLogFiles.rotated(of: log))
        rotated = try ContainerLogFiles.removeExcess(rotated, maxFiles: policy.maxFiles)
        for file in rotated where !file.hasSuffix(ContainerLogFiles.compressedSuffix) {
            try GzipFile.compress(file)
        }
        let target = ContainerLogFiles.rotatedName(log, at: now(), timeZone: timeZone)
        // Twice in one second: the name is taken, so the log grows until the next round.
        guard !ContainerLogFiles.exists(target), !ContainerLogFiles.exists(target + ContainerLogFiles.compressedSuffix) else {
            return
        }
        try ContainerLogFiles.rename(log, target)
        do {
            try await runtime.reopenContainerLog(id: containerID)
        } catch {
            do {
                try ContainerLogFiles.rename(target, log)
            } catch let rollback {
                logger.error(
                    "cannot rename a rotated log back after the runtime failed to reopen it; the next round asks it again",
                    metadata: ["id": "\(containerID)", "error": "\(rollback)"])
            }
            throw ContainerLogError.reopen(containerID: containerID, rotated: target, reason: "\(error)")
        }
        logger.debug("rotated container log", metadata: ["id": "\(containerID)", "log": "\(log)", "rotated": "\(target)"])
    }

    private func remember(_ containerID: String, _ log: String) {
        logPaths[containerID] = log
    }

    /// Learns the log paths of the containers that exist now, running or not.
    private func rememberLogPaths() async {
        guard let containers = try? await runtime.listContainers(filter: ContainerFilter()) else { return }
        for container in containers {
            if let status = try? await runtime.containerStatus(id: container.id), !status.logPath.isEmpty {
                logPaths[container.id] = status.logPath
            }
        }
    }

    /// Follows the runtime's events: remembers log paths and cleans the logs of removed containers.
    private func cleanRemovedContainers(_ events: AsyncStream<ContainerEvent>) async {
        for await event in events {
            if event.kind == .deleted {
                do {
                    try await clean(containerID: event.containerID)
                } catch {
                    logger.warning("cannot remove a removed container's logs", metadata: ["id": "\(event.containerID)", "error": "\(error)"])
                }
            } else if let log = event.status?.logPath, !log.isEmpty {
                logPaths[event.containerID] = log
            }
        }
    }
}
