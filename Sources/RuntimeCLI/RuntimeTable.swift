import ContainerRuntime
import Foundation

/// Column-aligned tables and the short forms crictl prints (ages, states, sizes).
enum RuntimeTable {
    static func print(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        for row in [header] + rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            Swift.print(cells.joined(separator: "   "))
        }
    }

    /// `5 seconds ago`, `3 minutes ago`, … from nanoseconds since the epoch.
    static func age(_ nanoseconds: Int64, now: Date = Date()) -> String {
        let seconds = max(0, Int64(now.timeIntervalSince1970) - nanoseconds / 1_000_000_000)
        let (value, unit): (Int64, String) = switch seconds {
        case ..<60: (seconds, "second")
        case ..<3600: (seconds / 60, "minute")
        case ..<86400: (seconds / 3600, "hour")
        default: (seconds / 86400, "day")
        }
        return "\(value) \(unit)\(value == 1 ? "" : "s") ago"
    }

    static func stateName(_ state: ContainerState) -> String {
        switch state {
        case .created: "Created"
        case .running: "Running"
        case .exited: "Exited"
        case .unknown: "Unknown"
        }
    }

    static func bytes(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value)B" : String(format: "%.1f%@", amount, units[unit])
    }
}

/// Reading CRI log files back as whole lines.
enum RuntimeLog {
    /// Joins partial pieces (`P`) with the full piece (`F`) that ends them, per stream.
    static func joinedLines(_ pieces: [CRILogLine]) -> [CRILogLine] {
        var lines: [CRILogLine] = []
        var pending: [OutputChannel: CRILogLine] = [:]
        for piece in pieces {
            var line = piece
            if let start = pending.removeValue(forKey: piece.channel) {
                line = CRILogLine(timestamp: start.timestamp, channel: piece.channel, isPartial: piece.isPartial, content: start.content + piece.content)
            }
            if line.isPartial { pending[piece.channel] = line } else { lines.append(line) }
        }
        lines.append(contentsOf: pending.values.sorted { $0.timestamp < $1.timestamp })
        return lines
    }

    static func timestamp(_ nanoseconds: Int64) -> String { CRILogLine.formatTimestamp(nanoseconds) }
}

/// The JSON `inspect` and `inspectp` print: CRI's status messages with protobuf JSON names.
enum RuntimeJSON {
    static func text(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }

    static func object(_ status: ContainerStatus) -> [String: Any] {
        ["status": [
            "id": status.id,
            "metadata": ["name": status.metadata.name, "attempt": Int(status.metadata.attempt)],
            "state": status.state.rawValue,
            "createdAt": status.createdAt, "startedAt": status.startedAt, "finishedAt": status.finishedAt,
            "exitCode": Int(status.exitCode),
            "image": ["image": status.image.image], "imageRef": status.imageRef,
            "reason": status.reason, "message": status.message,
            "labels": status.labels, "annotations": status.annotations,
            "mounts": status.mounts.map { ["containerPath": $0.containerPath, "hostPath": $0.hostPath, "readonly": $0.readonly] },
            "logPath": status.logPath,
        ] as [String: Any], "info": ["pid": Int(status.pid)]]
    }

    static func object(_ status: PodSandboxStatus) -> [String: Any] {
        let options = status.namespaceOptions
        return ["status": [
            "id": status.id,
            "metadata": ["name": status.metadata.name, "uid": status.metadata.uid, "namespace": status.metadata.namespace,
                         "attempt": Int(status.metadata.attempt)],
            "state": status.state.rawValue,
            "createdAt": status.createdAt,
            "network": ["ip": status.ip, "additionalIps": status.additionalIPs.map { ["ip": $0] }],
            "linux": ["namespaces": ["options": ["network": options.network.rawValue.uppercased(), "pid": options.pid.rawValue.uppercased(),
                                                 "ipc": options.ipc.rawValue.uppercased(), "targetId": options.targetID]]],
            "labels": status.labels, "annotations": status.annotations, "runtimeHandler": status.runtimeHandler,
        ] as [String: Any], "info": ["networkNamespacePath": status.networkNamespacePath]]
    }
}
