import Foundation
import Glibc
import KubeAPI
import Kubelet
import Logging
import ServiceLifecycle

/// Tells a person on the node what the kubelet's pods are doing while there is no API server to
/// read them from: a log line whenever a pod's phase, readiness or IP changes, and a table of every
/// pod (`NAMESPACE NAME PHASE READY IP`) rewritten atomically at `path` (`runDir/pods`) after each
/// change. The file is removed when the agent stops, since it would no longer be kept current.
public struct PodStatusReport: Service {
    /// The table's file.
    public let path: String
    let statuses: PodStatusStore
    let logger: Logger

    public init(statuses: PodStatusStore, path: String, logger: Logger) {
        self.statuses = statuses
        self.path = path
        self.logger = logger
    }

    public func run() async throws {
        let changes = await statuses.changes()
        try write(await statuses.all.map(Summary.init))
        // The table is written by a task of its own, with the latest statuses, so a slow disk
        // delays neither the log lines nor the next change; changes during a write coalesce.
        let (stale, markStale) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in stale {
                        do {
                            try write(await statuses.all.map(Summary.init))
                        } catch {
                            logger.warning("cannot write the pod status table", metadata: ["path": "\(path)", "error": "\(error)"])
                        }
                    }
                }
                var last: [String: Summary] = [:]
                for await pod in changes {
                    let summary = Summary(pod)
                    if last[summary.fullName] != summary {
                        last[summary.fullName] = summary.phase.isEmpty ? nil : summary
                        logger.info(
                            "pod status", metadata: ["pod": "\(summary.fullName)", "phase": "\(summary.phase.isEmpty ? "gone" : summary.phase)",
                                                     "ready": "\(summary.ready)", "ip": "\(summary.ip)"])
                    }
                    markStale.yield()
                }
                markStale.finish()
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// One pod's line of the table.
    struct Summary: Equatable {
        var namespace: String
        var name: String
        var phase: String
        var ready: Bool
        var ip: String
        var fullName: String { "\(namespace)/\(name)" }

        init(_ pod: CoreV1.Pod) {
            namespace = pod.metadata?.namespace ?? ""
            name = pod.metadata?.name ?? ""
            phase = pod.status?.phase ?? ""
            ready = pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
            ip = pod.status?.podIP ?? ""
        }
    }

    /// The table of `pods`, sorted by namespace and name, in columns.
    static func table(_ pods: [Summary]) -> String {
        let rows = [["NAMESPACE", "NAME", "PHASE", "READY", "IP"]]
            + pods.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }.map {
                [$0.namespace, $0.name, $0.phase, $0.ready ? "true" : "false", $0.ip.isEmpty ? "-" : $0.ip]
            }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }

    /// Replaces the table file: a temporary file renamed over it, not synced (the table says
    /// what the pods do now and is rewritten on each change; Foundation's atomic write would
    /// `fsync` every time).
    private func write(_ pods: [Summary]) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp"
        let bytes = Array(Self.table(pods.filter { !$0.phase.isEmpty }).utf8)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            unlink(temporary)
            throw error
        }
    }
}
