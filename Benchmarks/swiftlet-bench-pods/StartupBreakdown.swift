import BenchReport

/// Where the time of each pod's startup went, from the agent's log (its lines carry millisecond
/// timestamps on the wall clock): the start (a create call, or a manifest renamed in) → the
/// agent's source delivers the pod (`pod added`) → sandbox started → container started → status
/// computed Ready (`pod status … ready=true`) → for API pods, the bench's watch delivers the pod
/// Running and Ready.
struct StartupBreakdown {
    /// The steps, in order: the log message that ends each, and its name in the table.
    static let steps: [(message: String, name: String)] = [
        (" pod added ", "→ agent source delivers"),
        (" started pod sandbox ", "→ sandbox started"),
        (" started container ", "→ container started"),
        (" pod status ", "→ status Ready computed"),
    ]
    static let watchStep = "→ bench watch sees Ready"

    /// Step name → the milliseconds it took, one entry per pod that had every step.
    private(set) var durations: [String: [Int64]] = [:]
    /// Each pod's step durations in the order of ``stepNames``, and its total.
    private(set) var pods: [(name: String, steps: [Int64], total: Int64)] = []
    let stepNames: [String]

    /// - Parameters:
    ///   - log: the agent's log text.
    ///   - startedAt: pod name (without namespace) → when its start was made (ms since the epoch).
    ///   - watchedReady: when the bench's watch saw the pod Running and Ready (ms since the
    ///     epoch); nil when the agent's own Ready line is the end.
    init(log: String, startedAt: [String: Int64], watchedReady: ((String) -> Int64?)? = nil) {
        stepNames = Self.steps.map(\.name) + (watchedReady == nil ? [] : [Self.watchStep])
        var marks: [String: [Int: Int64]] = [:]
        for line in log.split(separator: "\n") {
            let line = String(line)
            guard let pod = AgentLog.field("pod", in: line), let time = AgentLog.timestamp(line) else { continue }
            let name = String(pod.split(separator: "/").last ?? "")
            guard startedAt[name] != nil,
                  let step = Self.steps.firstIndex(where: { line.contains($0.message) }),
                  step != Self.steps.count - 1 || AgentLog.field("ready", in: line) == "true",
                  marks[name]?[step] == nil
            else { continue }
            marks[name, default: [:]][step] = time
        }
        for (name, started) in startedAt {
            guard let steps = marks[name] else { continue }
            var times = [started] + Self.steps.indices.compactMap { steps[$0] }
            if let watchedReady {
                guard let ready = watchedReady(name) else { continue }
                times.append(ready)
            }
            guard times.count == stepNames.count + 1 else { continue }
            let each = stepNames.indices.map { times[$0 + 1] - times[$0] }
            for (index, step) in stepNames.enumerated() { durations[step, default: []].append(each[index]) }
            pods.append((name, each, times[times.count - 1] - started))
        }
    }

    /// The median and p99 of each step, one line each, then the `slowest` pods step by step.
    func table(_ title: String, slowest: Int = 5) -> String {
        var text = "\(title) breakdown (ms, from the agent's log; \(pods.count) pods)\n"
        for name in stepNames {
            let values = durations[name] ?? []
            text += "  \(name.padding(toLength: 26, withPad: " ", startingAt: 0))"
                + " median \(ReportRow.median(values))  p99 \(ReportRow.percentile(values, 99))\n"
        }
        for pod in pods.sorted(by: { $0.total > $1.total }).prefix(slowest) {
            text += "  slow: \(pod.name) total \(pod.total): \(pod.steps.map(String.init).joined(separator: " "))\n"
        }
        return text
    }
}
