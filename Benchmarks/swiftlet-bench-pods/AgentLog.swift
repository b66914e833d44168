import Foundation

/// Follows the agent's log file for its `pod status` lines: when each pod first became Ready,
/// and when it was gone.
struct AgentLog {
    let path: String
    private var offset: UInt64 = 0
    private var partial = ""
    /// Pod (`namespace/name`) → the log time (ms since the epoch) it was first seen Ready.
    private(set) var readyAt: [String: Int64] = [:]
    /// Pods seen removed since they were last Ready.
    private(set) var gone: Set<String> = []

    init(path: String) { self.path = path }

    /// Reads what the agent wrote since the last call.
    mutating func poll() {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        offset += UInt64(data.count)
        let text = partial + String(decoding: data, as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        partial = lines.removeLast()
        for line in lines where line.contains(" pod status ") {
            guard let pod = Self.field("pod", in: line), let time = Self.timestamp(line) else { continue }
            if Self.field("phase", in: line) == "gone" {
                gone.insert(pod)
                readyAt[pod] = nil
            } else if Self.field("ready", in: line) == "true", readyAt[pod] == nil {
                readyAt[pod] = time
                gone.remove(pod)
            }
        }
    }

    /// Forgets what it saw about `pods`.
    mutating func forget(_ pods: [String]) {
        for pod in pods {
            readyAt[pod] = nil
            gone.remove(pod)
        }
    }

    /// `value` of `key=value` in a log line's metadata.
    static func field(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: " \(key)=") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != " " })
    }

    /// The line's leading `YYYY-MM-DDTHH:MM:SS.mmmZ`, in ms since the epoch.
    static func timestamp(_ line: String) -> Int64? {
        let stamp = line.prefix { $0 != " " }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: String(stamp)) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
