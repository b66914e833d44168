// swiftlet-bench-pods: the standalone agent's pod path, end to end (`scripts/bench pods`).
//
//   pod_startup     a manifest file is renamed into the static pod directory → the pod's
//                   container runs and the pod is Ready (no probes, image present), one pod at
//                   a time, each removed before the next; p50 and p99 over the iterations.
//   pod_burst_100   N manifests (100 by default) written at once → every pod Ready.
//   agent_rss_idle  resident memory of `swiftlet run` with no pods, settled.
//   agent_rss_100   resident memory of `swiftlet run` with the N pods of the burst running.
//   api_pod_startup the agent joined to a test control plane (KubeTestServer) listening on the
//                   node namespace's loopback; a pod created through the API, bound to the node
//                   (spec.nodeName) → a watch on pods, opened before the create, delivers it with
//                   phase Running and Ready=True (the upstream pod startup SLO's definition), one
//                   pod at a time, each deleted and seen DELETED before the next; p50 and p99.
//
// The moment a pod became Ready is the timestamp of the agent's own `pod status … ready=true`
// log line (millisecond resolution, the same clock as the write), so nothing polls the agent.
// No peer is measured: a kubelet needs a container runtime and a control plane of its own.
//
// Usage: swiftlet-bench-pods [--iterations N] [--pods N] [--only static|api] [--swiftlet PATH]
//                            [--busybox-image SCRIPT] [--output FILE] [--agent-log FILE] [--smaps DIR]
// --agent-log keeps a copy of the joined agent's log (timestamped lines) for api_pod_startup, and
// of the standalone agent's at FILE.static; each run prints where the startups' time went.
// --smaps copies the agent's /proc/PID/smaps and status into DIR (idle.*, busy.*) at each RSS
// reading, for breaking the figure down by mapping.
// Needs root, cgroups, `ip`, `nsenter` and /bin/busybox (busybox-static). The process makes the
// node network namespace and runs itself again inside it (so the test control plane, the client
// and the agent all share the node's loopback). Everything it makes — the namespace, a temporary
// directory, a cgroup parent — is removed at the end, after every pod has been removed through
// the agent.

import BenchReport
import Foundation
import Glibc

struct Options {
    var iterations = 50
    var pods = 100
    var swiftlet = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        .deletingLastPathComponent().appendingPathComponent("swiftlet").path
    var busyboxImage = "scripts/busybox-image"
    var output: String?
    /// `static` (the standalone metrics), `api` (api_pod_startup) or nil for both.
    var only: String?
    /// Where to copy the joined agent's log at the end.
    var agentLog: String?
    /// A directory to copy the agent's /proc/PID/smaps and status into at each RSS reading.
    var smaps: String?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--iterations": iterations = try Self.count(value, flag)
            case "--pods": pods = try Self.count(value, flag)
            case "--swiftlet": swiftlet = value
            case "--busybox-image": busyboxImage = value
            case "--output": output = value
            case "--agent-log": agentLog = value
            case "--smaps": smaps = value
            case "--only":
                guard value == "static" || value == "api" else { throw BenchError("--only: expected static or api, got \(value)") }
                only = value
            default: throw BenchError("unknown option \(flag); expected --iterations, --pods, --only, --swiftlet, --busybox-image, --output, --agent-log or --smaps")
            }
        }
    }

    private static func count(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw BenchError("\(flag): expected a positive number, got \(text)") }
        return value
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion; throws with its output on a non-zero exit.
@discardableResult
func runCommand(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw BenchError("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
    }
    return text
}

/// Milliseconds since the epoch, on the clock the agent stamps its log lines with.
func wallMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

let options: Options
do {
    options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("swiftlet-bench-pods: \(error)\n".utf8))
    exit(2)
}
guard getuid() == 0 else {
    FileHandle.standardError.write(Data("swiftlet-bench-pods: needs root (network namespace, cgroups)\n".utf8))
    exit(2)
}

/// Set in the run of this program inside the node namespace: the namespace's name.
let namespaceVariable = "SWIFTLET_BENCH_PODS_NETNS"
let environment = ProcessInfo.processInfo.environment
guard let namespace = environment[namespaceVariable] else {
    // The outer run: make the namespace, run again inside it, remove the namespace.
    let id = String(UUID().uuidString.prefix(8)).lowercased()
    let namespace = "swiftlet-bench-\(id)"
    let status: Int32
    do {
        try runCommand("/usr/sbin/ip", ["netns", "add", namespace])
        try runCommand("/usr/sbin/ip", ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        let inner = Process()
        inner.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        inner.arguments = ["--net=/run/netns/\(namespace)", executable] + CommandLine.arguments.dropFirst()
        inner.environment = environment.merging([namespaceVariable: namespace, "SWIFTLET_BENCH_PODS_ID": id]) { $1 }
        try inner.run()
        inner.waitUntilExit()
        status = inner.terminationStatus
    } catch {
        FileHandle.standardError.write(Data("swiftlet-bench-pods: \(error)\n".utf8))
        status = 1
    }
    _ = try? runCommand("/usr/sbin/ip", ["netns", "delete", namespace])
    exit(status)
}

let bench = PodBench(
    options: options, namespace: namespace,
    id: environment["SWIFTLET_BENCH_PODS_ID"] ?? String(UUID().uuidString.prefix(8)).lowercased())
do {
    let rows = try await bench.run()
    try Report.emit("pods", rows, output: options.output)
} catch {
    FileHandle.standardError.write(Data("swiftlet-bench-pods: \(error)\n".utf8))
    await bench.cleanUp()
    exit(1)
}
await bench.cleanUp()
