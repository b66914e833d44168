import BenchReport

/// Where the time of each API pod's startup went, from the joined agent's log (its lines carry
/// millisecond timestamps on the wall clock): create call → the agent's informer delivers the
/// pod (`pod added`) → sandbox started → container started → status computed Ready
/// (`pod status … ready=true`) → the bench's watch delivers the pod Running and Ready.
struct StartupBreakdown {
    /// The steps, in order: the log message that ends each, and its name in the table.
    static let steps: [(message: String, name: String)] = [
        (" pod added ", "create → agent informer"),
        (" started pod sandbox ", "→ sandbox started"),
        (" started container ", "→ container started"),
        (" pod status ", "→ status Ready computed"),
    ]

    /// Step name → the milliseconds it took, one entry per pod that had every step.
    private(set) var durations: [String: [Int64]] = [:]

    /// - Parameters:
    ///   - log: the agent's log text.
    ///   - createdAt: pod name → when its create call was made (ms since the epoch).
    ///   - watchedReady: when the bench's watch saw the pod Running and Ready (ms since the epoch).
    init(log: String, createdAt: [String: Int64], watchedReady: (String) -> Int64?) {
        var marks: [String: [Int: Int64]] = [:]
        for line in log.split(separator: "\n") {
            let line = String(line)
            guard let pod = AgentLog.field("pod", in: line), let time = AgentLog.timestamp(line) else { continue }
            let name = String(pod.split(separator: "/").last ?? "")
            guard createdAt[name] != nil,
                  let step = Self.steps.firstIndex(where: { line.contains($0.message) }),
                  step != Self.steps.count - 1 || AgentLog.field("ready", in: line) == "true",
                  marks[name]?[step] == nil
            else { continue }
            marks[name, default: [:]][step] = time
        }
        for (name, created) in createdAt {
            guard let steps = marks[name], let ready = watchedReady(name) else { continue }
            let times = [created] + Self.steps.indices.compactMap { steps[$0] } + [ready]
            guard times.count == Self.steps.count + 2 else { continue }
            for (index, step) in Self.steps.enumerated() {
                durations[step.name, default: []].append(times[index + 1] - times[index])
            }
            durations["→ bench watch sees Ready", default: []].append(times[times.count - 1] - times[times.count - 2])
        }
    }

    /// The median and p99 of each step, one line each.
    func table() -> String {
        let names = Self.steps.map(\.name) + ["→ bench watch sees Ready"]
        var text = "api_pod_startup breakdown (ms, from the agent's log; \(durations[names[0]]?.count ?? 0) pods)\n"
        for name in names {
            let values = durations[name] ?? []
            text += "  \(name.padding(toLength: 26, withPad: " ", startingAt: 0))"
                + " median \(ReportRow.median(values))  p99 \(ReportRow.percentile(values, 99))\n"
        }
        return text
    }
}
