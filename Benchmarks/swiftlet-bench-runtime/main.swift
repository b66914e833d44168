// swiftlet-bench-runtime: the native runtime's start path and footprint, measured against runc
// on the same busybox rootfs in the same run (`scripts/bench runtime`).
//
//   pod_start              RunPodSandbox + CreateContainer + StartContainer until the process
//                          runs, one pod at a time; peer: `runc run -d` of the same rootfs. Both
//                          end when the container's execve has happened: StartContainer returns
//                          after the monitor saw the init's close-on-exec report pipe close, and
//                          `runc run -d` after its init's close-on-exec exec fifo closed.
//   pod_start_sandbox,     the three calls of pod_start on their own (no peer): where the time
//   _create, _start        goes.
//   runc_run_d,            the peer's own samples of pod_start and of N at once, so their p99 is
//   runc_run_d_N_at_once   reported too.
//   pods_N_concurrent      wall time until N pods started at once all run; peer: N `runc run -d`
//                          at once.
//   pods_N_concurrent_     each pod's three calls while N start at once (no peer): where the
//   sandbox, _create,      wall time goes when they contend.
//   _start
//   monitor_rss            resident memory of one container's swiftlet-monitor, over the N pods
//                          (no peer measured: containerd's per-pod shim needs containerd running).
//
// Usage: swiftlet-bench-runtime [--iterations N] [--pods N] [--rounds N] [--runc PATH]
//                               [--monitor PATH] [--temporary DIR] [--run DIR] [--output FILE]
// Needs root and cgroups. What it makes lives in a temporary directory (under --temporary, /tmp by
// default, standing for /var/lib and /var/log: the root filesystem and runc's bundle, the
// runtime's state directory with the containers' writable layers, and the pod logs), in a run
// directory (under --run, /run by default: the runtime's run directory, as runc keeps its state in
// /run/runc) and in a cgroup parent of its own, all removed at the end.

import BenchReport
import ContainerRuntime
import Foundation
import Glibc
import NativeRuntime

struct Options {
    var iterations = 20
    var pods = 50
    var rounds = 3
    var runc = "/usr/sbin/runc"
    var monitor = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        .deletingLastPathComponent().appendingPathComponent("swiftlet-monitor").path
    var output: String?
    var temporary = "/tmp"
    var run = "/run"

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--iterations": iterations = try Self.count(value, flag)
            case "--pods": pods = try Self.count(value, flag)
            case "--rounds": rounds = try Self.count(value, flag)
            case "--runc": runc = value
            case "--monitor": monitor = value
            case "--output": output = value
            case "--temporary": temporary = value
            case "--run": run = value
            default:
                throw BenchError(
                    "unknown option \(flag); expected --iterations, --pods, --rounds, --runc, --monitor, --temporary, --run or --output")
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

/// Runs a command to completion with its output discarded; throws on a non-zero exit.
func run(_ executable: String, _ arguments: [String]) throws {
    let process = try spawn(executable, arguments)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
}

func spawn(_ executable: String, _ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// busybox with its applets as symlinks: the rootfs both sides run.
func makeRootfs(_ path: String) throws {
    let manager = FileManager.default
    for directory in ["bin", "etc", "tmp", "proc", "sys", "dev"] {
        try manager.createDirectory(atPath: "\(path)/\(directory)", withIntermediateDirectories: true)
    }
    try manager.copyItem(atPath: "/usr/bin/busybox", toPath: path + "/bin/busybox")
    for applet in ["sh", "sleep", "true"] { try manager.createSymbolicLink(atPath: "\(path)/bin/\(applet)", withDestinationPath: "busybox") }
    try "root:x:0:0:root:/root:/bin/sh\n".write(toFile: path + "/etc/passwd", atomically: true, encoding: .utf8)
    try "root:x:0:\n".write(toFile: path + "/etc/group", atomically: true, encoding: .utf8)
}

/// The mount points of this mount namespace at or below `directory`, in mount order.
func mountPoints(under directory: String) -> [String] {
    guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.count > 4, fields[4] == directory || fields[4].hasPrefix(directory + "/") else { return nil }
        return String(fields[4])
    }
}

/// A runc bundle over `rootfs` (read-only, as the native side's lower layer) running `argv`.
func makeBundle(_ bundle: String, rootfs: String, runc: String, argv: [String]) throws {
    try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
    try run(runc, ["spec", "--bundle", bundle])
    let path = bundle + "/config.json"
    var spec = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    spec["root"] = ["path": rootfs, "readonly": true]
    var process = spec["process"] as? [String: Any] ?? [:]
    process["args"] = argv
    process["terminal"] = false
    spec["process"] = process
    try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: path))
}

/// The resident set of a process, in KiB (`VmRSS`).
func residentKiB(_ pid: Int32) -> UInt64? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return UInt64(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
    return nil
}

/// PIDs of `swiftlet-monitor run DIR` processes with DIR under `root`.
func monitors(under root: String) -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
        guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.count == 3 && arguments[1] == "run" && arguments[2].hasPrefix(root + "/") ? pid : nil
    }
}

func removeCgroupTree(_ path: String) {
    for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path + "/" + child, isDirectory: &isDirectory), isDirectory.boolValue {
            removeCgroupTree(path + "/" + child)
        }
    }
    rmdir(path)
}

/// When each call of one pod start returned (monotonic nanoseconds).
struct PodStartTimes {
    var started: UInt64 = 0, sandboxReady: UInt64 = 0, created: UInt64 = 0, running: UInt64 = 0
}

/// One pod with one `sleep` container, started; returns the sandbox ID.
func startPod(_ runtime: NativeRuntime, name: String, logRoot: String) async throws -> String {
    try await startPodTimed(runtime, name: name, logRoot: logRoot).sandbox
}

/// `startPod`, with the time each call returned.
func startPodTimed(_ runtime: NativeRuntime, name: String, logRoot: String) async throws -> (sandbox: String, times: PodStartTimes) {
    let metadata = PodSandboxMetadata(name: name, uid: UUID().uuidString.lowercased(), namespace: "bench")
    let config = PodSandboxConfig(metadata: metadata, hostname: name, logDirectory: metadata.logDirectory(root: logRoot))
    let started = now()
    let sandbox = try await runtime.runPodSandbox(config, runtimeHandler: "")
    let sandboxReady = now()
    let container = try await runtime.createContainer(
        podSandboxID: sandbox,
        config: ContainerConfig(metadata: ContainerMetadata(name: "c"), image: ImageSpec("rootfs"), command: ["sleep", "600"], logPath: "c/0.log"),
        sandboxConfig: config)
    let created = now()
    try await runtime.startContainer(id: container)
    return (sandbox, PodStartTimes(started: started, sandboxReady: sandboxReady, created: created, running: now()))
}

func benchmark(_ options: Options) async throws -> [ReportRow] {
    guard geteuid() == 0 else { throw BenchError("needs root (namespaces, cgroups, mounts)") }
    guard access(options.runc, X_OK) == 0 else { throw BenchError("the peer \(options.runc) is missing (Debian: runc)") }
    guard access(options.monitor, X_OK) == 0 else { throw BenchError("\(options.monitor) is missing: build swiftlet-monitor") }
    let root = "\(options.temporary)/swiftlet-bench-runtime-\(getpid())"
    let runDirectory = "\(options.run)/swiftlet-bench-runtime-\(getpid())"
    let rootfs = root + "/rootfs", logRoot = root + "/pods"
    let cgroupParent = "swiftlet-bench-\(getpid())"
    try makeRootfs(rootfs)
    let mode = NativeRuntimeConfiguration.CgroupMode.detect()
    defer {
        for pid in monitors(under: runDirectory) { kill(pid, SIGKILL) }
        // A run that failed part-way leaves its sandboxes' namespace and shm mounts behind.
        for mountPoint in mountPoints(under: runDirectory).reversed() { umount2(mountPoint, Int32(MNT_DETACH)) }
        switch mode {
        case .v1(let cgroupRoot, let controllers): for controller in controllers { removeCgroupTree("\(cgroupRoot)/\(controller)/\(cgroupParent)") }
        case .v2(let cgroupRoot): removeCgroupTree("\(cgroupRoot)/\(cgroupParent)")
        }
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: runDirectory)
    }
    let store = DirectoryImageStore(images: ["rootfs": .init(directory: rootfs, config: ImageConfig(cmd: ["sh"]))])
    var configuration = NativeRuntimeConfiguration(
        stateDirectory: root + "/state", runDirectory: runDirectory, monitorPath: options.monitor, cgroupMode: mode, cgroupParent: cgroupParent,
        logMaxSizeBytes: 0, rootfs: store, images: store)
    configuration.logger.logLevel = .warning
    let runtime = try await NativeRuntime.start(configuration: configuration)
    let bundle = root + "/bundle"
    try makeBundle(bundle, rootfs: rootfs, runc: options.runc, argv: ["sleep", "600"])
    let runcPrefix = "swiftlet-bench-\(getpid())"

    // Warm-up: page cache, the monitor binary, runc's own start-up.
    for index in 0..<2 {
        try await runtime.removePodSandbox(id: try await startPod(runtime, name: "warm-\(index)", logRoot: logRoot))
        try run(options.runc, ["run", "-d", "--bundle", bundle, "\(runcPrefix)-warm-\(index)"])
        try run(options.runc, ["delete", "-f", "\(runcPrefix)-warm-\(index)"])
    }

    // One pod at a time, the sides interleaved so a change in load hits both.
    var native: [UInt64] = [], peer: [UInt64] = [], sandboxPhase: [UInt64] = [], createPhase: [UInt64] = [], startPhase: [UInt64] = []
    for index in 0..<options.iterations {
        let (sandbox, times) = try await startPodTimed(runtime, name: "one-\(index)", logRoot: logRoot)
        native.append(times.running - times.started)
        sandboxPhase.append(times.sandboxReady - times.started)
        createPhase.append(times.created - times.sandboxReady)
        startPhase.append(times.running - times.created)
        try await runtime.removePodSandbox(id: sandbox)
        let id = "\(runcPrefix)-one-\(index)"
        let peerStart = now()
        try run(options.runc, ["run", "-d", "--bundle", bundle, id])
        peer.append(now() - peerStart)
        try run(options.runc, ["delete", "-f", id])
    }

    // N pods at once; the monitors' memory is read while they all run.
    var concurrent: [UInt64] = [], concurrentPeer: [UInt64] = [], rss: [UInt64] = []
    var manySandbox: [UInt64] = [], manyCreate: [UInt64] = [], manyStart: [UInt64] = []
    for round in 0..<options.rounds {
        let start = now()
        let started = try await withThrowingTaskGroup(of: (sandbox: String, times: PodStartTimes).self) { group in
            for index in 0..<options.pods {
                group.addTask { try await startPodTimed(runtime, name: "many-\(round)-\(index)", logRoot: logRoot) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        concurrent.append(now() - start)
        let sandboxes = started.map(\.sandbox)
        for (_, times) in started {
            manySandbox.append(times.sandboxReady - times.started)
            manyCreate.append(times.created - times.sandboxReady)
            manyStart.append(times.running - times.created)
        }
        rss.append(contentsOf: monitors(under: runDirectory).compactMap(residentKiB))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sandbox in sandboxes { group.addTask { try await runtime.removePodSandbox(id: sandbox) } }
            try await group.waitForAll()
        }

        let ids = (0..<options.pods).map { "\(runcPrefix)-many-\(round)-\($0)" }
        let peerStart = now()
        let processes = try ids.map { try spawn(options.runc, ["run", "-d", "--bundle", bundle, $0]) }
        for process in processes { process.waitUntilExit() }
        concurrentPeer.append(now() - peerStart)
        let failed = processes.filter { $0.terminationStatus != 0 }.count
        for id in ids { try? run(options.runc, ["delete", "-f", id]) }
        guard failed == 0 else { throw BenchError("\(failed) of \(options.pods) concurrent `runc run -d` failed") }
    }
    await runtime.shutdown()

    let rssMedian = ReportRow.median(rss), rssP99 = ReportRow.percentile(rss, 99)
    return [
        ReportRow(metric: "pod_start", unit: "ms", nanoseconds: native, peer: "runc run -d", peerNanoseconds: peer),
        ReportRow(metric: "pod_start_sandbox", unit: "ms", nanoseconds: sandboxPhase, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "pod_start_create", unit: "ms", nanoseconds: createPhase, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "pod_start_start", unit: "ms", nanoseconds: startPhase, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "runc_run_d", unit: "ms", nanoseconds: peer, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "pods_\(options.pods)_concurrent", unit: "ms", nanoseconds: concurrent,
                  peer: "\(options.pods)x runc run -d", peerNanoseconds: concurrentPeer),
        ReportRow(metric: "pods_\(options.pods)_concurrent_sandbox", unit: "ms", nanoseconds: manySandbox, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "pods_\(options.pods)_concurrent_create", unit: "ms", nanoseconds: manyCreate, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "pods_\(options.pods)_concurrent_start", unit: "ms", nanoseconds: manyStart, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "runc_run_d_\(options.pods)_at_once", unit: "ms", nanoseconds: concurrentPeer, peer: "-", peerNanoseconds: nil),
        ReportRow(metric: "monitor_rss", unit: "KiB", median: rssMedian, p99: rssP99, peer: "-", peerMedian: nil),
    ]
}

/// The 1, 5 and 15 minute load averages: the figures mean little without them on a shared machine.
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    print("swiftlet-bench-runtime: native runtime vs runc, \(options.iterations) single pods, \(options.rounds) rounds of \(options.pods) pods at once")
    let loadBefore = loadAverage()
    let rows = try await benchmark(options)
    try Report.emit("runtime", rows, output: options.output)
    print("load average: \(loadBefore) before, \(loadAverage()) after")
} catch {
    FileHandle.standardError.write(Data("swiftlet-bench-runtime: \(error)\n".utf8))
    exit(1)
}
