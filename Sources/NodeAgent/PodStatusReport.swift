import Foundation
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
        await cancelWhenGracefulShutdown {
            var last: [String: Summary] = [:]
            for await pod in changes {
                let summary = Summary(pod)
                if last[summary.fullName] != summary {
                    last[summary.fullName] = summary.phase.isEmpty ? nil : summary
                    logger.info(
                        "pod status", metadata: ["pod": "\(summary.fullName)", "phase": "\(summary.phase.isEmpty ? "gone" : summary.phase)",
                                                 "ready": "\(summary.ready)", "ip": "\(summary.ip)"])
                }
                do {
                    try write(await statuses.all.map(Summary.init))
                } catch {
                    logger.warning("cannot write the pod status table", metadata: ["path": "\(path)", "error": "\(error)"])
                }
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

    private func write(_ pods: [Summary]) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.table(pods.filter { !$0.phase.isEmpty }).write(toFile: path, atomically: true, encoding: .utf8)
    }
}
