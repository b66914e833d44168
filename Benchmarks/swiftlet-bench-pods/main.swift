// swiftlet-bench-pods: the standalone agent's pod path, end to end (`scripts/bench pods`).
//
//   pod_startup     a manifest file is renamed into the static pod directory → the pod's
//                   container runs and the pod is Ready (no probes, image present), one pod at
//                   a time, each removed before the next; p50 and p99 over the iterations.
//   pod_burst_100   N manifests (100 by default) written at once → every pod Ready.
//   agent_rss_idle  resident memory of `swiftlet run` with no pods, settled.
//   agent_rss_100   resident memory of `swiftlet run` with the N pods of the burst running.
//
// The moment a pod became Ready is the timestamp of the agent's own `pod status … ready=true`
// log line (millisecond resolution, the same clock as the write), so nothing polls the agent.
// No peer is measured: a kubelet needs a container runtime and a control plane of its own.
//
// Usage: swiftlet-bench-pods [--iterations N] [--pods N] [--swiftlet PATH] [--busybox-image SCRIPT]
//                            [--output FILE]
// Needs root, cgroups, `ip`, `nsenter` and /bin/busybox (busybox-static). Everything it makes —
// the node network namespace, a temporary directory, a cgroup parent — is removed at the end,
// after every pod has been removed through the agent.

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
            default: throw BenchError("unknown option \(flag); expected --iterations, --pods, --swiftlet, --busybox-image or --output")
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

let bench = PodBench(options: options)
do {
    let rows = try await bench.run()
    try Report.emit("pods", rows, output: options.output)
} catch {
    FileHandle.standardError.write(Data("swiftlet-bench-pods: \(error)\n".utf8))
    await bench.cleanUp()
    exit(1)
}
await bench.cleanUp()
