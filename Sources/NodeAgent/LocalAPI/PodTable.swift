import Foundation
import KubeAPI

/// `swiftlet pods list`: pods as `kubectl get pods -o wide` prints them, with kubectl's rules
/// for the READY, STATUS and RESTARTS columns (init containers as `Init:x/y` or `Init:REASON`,
/// sidecars counted with the containers, a waiting or terminated container's reason, `Completed`
/// turned back to `Running` while a container still runs, `Terminating` for a pod being deleted).
public enum PodTable {
    /// The table's text (header and one line per pod), columns padded as kubectl's tabwriter
    /// pads them; with `namespaces` a NAMESPACE column comes first.
    public static func render(_ pods: [CoreV1.Pod], namespaces: Bool, now: Date = Date()) -> String {
        var rows = [(namespaces ? ["NAMESPACE"] : []) + ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]]
        for pod in pods {
            let row = Row(pod, now: now)
            let ip = pod.status?.podIP ?? ""
            let node = pod.spec?.nodeName ?? ""
            let nominated = pod.status?.nominatedNodeName ?? ""
            var cells: [String] = namespaces ? [pod.metadata?.namespace ?? ""] : []
            cells += [pod.metadata?.name ?? "", row.ready, row.status, row.restarts, row.age]
            cells += [ip.isEmpty ? "<none>" : ip, node.isEmpty ? "<none>" : node, nominated.isEmpty ? "<none>" : nominated, row.readinessGates]
            rows.append(cells)
        }
        // kubectl: tabwriter with minimum width 6 and padding 3; the last column is not padded.
        let widths = rows[0].indices.map { column in max(6, (rows.map { $0[column].count }.max() ?? 0) + 3) }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }

    /// One pod's computed columns.
    struct Row {
        var ready = ""
        var status = ""
        var restarts = ""
        var age = ""
        var readinessGates = "<none>"

        init(_ pod: CoreV1.Pod, now: Date) {
            let spec = pod.spec
            let podStatus = pod.status
            let initContainers = spec?.initContainers ?? []
            let sidecars = Set(initContainers.filter { $0.restartPolicy == "Always" }.map(\.name))
            let total = (spec?.containers.count ?? 0) + sidecars.count
            var readyCount = 0
            var restartCount = 0
            var lastRestart: MetaV1.Time?
            var sidecarRestarts = 0
            var lastSidecarRestart: MetaV1.Time?
            var reason = podStatus?.reason.flatMap { $0.isEmpty ? nil : $0 } ?? podStatus?.phase ?? ""

            func noteRestart(_ container: CoreV1.ContainerStatus, into date: inout MetaV1.Time?) {
                if let finished = container.lastState?.terminated?.finishedAt, date.map({ finished > $0 }) ?? true { date = finished }
            }

            var initializing = false
            let initStatuses = podStatus?.initContainerStatuses ?? []
            for (index, container) in initStatuses.enumerated() {
                restartCount += Int(container.restartCount)
                noteRestart(container, into: &lastRestart)
                let isSidecar = sidecars.contains(container.name)
                if isSidecar {
                    sidecarRestarts += Int(container.restartCount)
                    noteRestart(container, into: &lastSidecarRestart)
                }
                let terminated = container.state?.terminated
                let waiting = container.state?.waiting
                if let terminated, terminated.exitCode == 0 { continue }
                if isSidecar && container.started == true {
                    if container.ready { readyCount += 1 }
                    continue
                }
                if let terminated {
                    if let why = terminated.reason, !why.isEmpty {
                        reason = "Init:" + why
                    } else {
                        reason = (terminated.signal ?? 0) != 0 ? "Init:Signal:\(terminated.signal ?? 0)" : "Init:ExitCode:\(terminated.exitCode)"
                    }
                } else if let why = waiting?.reason, !why.isEmpty, why != "PodInitializing" {
                    reason = "Init:" + why
                } else {
                    reason = "Init:\(index)/\(initContainers.count)"
                }
                initializing = true
                break
            }
            let initialized = podStatus?.conditions?.contains { $0.type == "Initialized" && $0.status == "True" } ?? false
            if !initializing || initialized {
                restartCount = sidecarRestarts
                lastRestart = lastSidecarRestart
                var hasRunning = false
                for container in (podStatus?.containerStatuses ?? []).reversed() {
                    restartCount += Int(container.restartCount)
                    noteRestart(container, into: &lastRestart)
                    if let why = container.state?.waiting?.reason, !why.isEmpty {
                        reason = why
                    } else if let terminated = container.state?.terminated {
                        if let why = terminated.reason, !why.isEmpty {
                            reason = why
                        } else {
                            reason = (terminated.signal ?? 0) != 0 ? "Signal:\(terminated.signal ?? 0)" : "ExitCode:\(terminated.exitCode)"
                        }
                    } else if container.ready && container.state?.running != nil {
                        hasRunning = true
                        readyCount += 1
                    }
                }
                if reason == "Completed" && hasRunning {
                    let podReady = podStatus?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
                    reason = podReady ? "Running" : "NotReady"
                }
            }
            if pod.metadata?.deletionTimestamp != nil {
                if podStatus?.reason == "NodeLost" {
                    reason = "Unknown"
                } else if podStatus?.phase != "Succeeded" && podStatus?.phase != "Failed" {
                    reason = "Terminating"
                }
            }
            ready = "\(readyCount)/\(total)"
            status = reason
            restarts = "\(restartCount)"
            if restartCount != 0, let lastRestart {
                restarts += " (\(PodTable.humanDuration(now.timeIntervalSince(lastRestart.date))) ago)"
            }
            // Pods from manifest files have no creationTimestamp: their start time stands in.
            let created = pod.metadata?.creationTimestamp ?? podStatus?.startTime
            age = created.map { PodTable.humanDuration(now.timeIntervalSince($0.date)) } ?? "<unknown>"
            if let gates = spec?.readinessGates, !gates.isEmpty {
                let met = gates.filter { gate in
                    podStatus?.conditions?.contains { $0.type == gate.conditionType && $0.status == "True" } ?? false
                }.count
                readinessGates = "\(met)/\(gates.count)"
            }
        }
    }

    /// A duration as kubectl's `HumanDuration` prints it: `45s`, `5m3s`, `12m`, `3h2m`, `20h`,
    /// `3d4h`, `30d`, `2y10d`, `9y`.
    public static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        let days = hours / 24
        if hours < 24 * 365 * 8 { return days % 365 == 0 ? "\(days / 365)y" : "\(days / 365)y\(days % 365)d" }
        return "\(days / 365)y"
    }
}
