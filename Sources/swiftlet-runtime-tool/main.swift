// swiftlet-runtime-tool: drives NativeRuntime from a (release-built) executable with a directory
// rootfs, without the rest of the agent. Two jobs:
//
//   pod-start  measures RunPodSandbox + CreateContainer + StartContainer of one container until its
//              process runs, N times, and the same rootfs under `runc run -d` in the same run;
//              prints one JSON object with the samples and medians (the `pod_start` benchmark).
//   hold       starts one pod with the given containers, prints their IDs, then waits forever:
//              the "agent" that tests kill with SIGKILL to check that containers outlive it.
//
// Options: --state DIR --rootfs DIR [--monitor PATH] [--cgroup-parent P] [--log-root DIR]
//          [--iterations N] [--runc PATH] [--name NAME] -- command...

import ContainerRuntime
import Foundation
import NativeRuntime

struct Options {
    var mode = ""
    var state = ""
    var rootfs = ""
    var monitor = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("swiftlet-monitor").path
    var cgroupParent = "swiftlet-tool"
    var logRoot = ""
    var iterations = 20
    var runc = ""
    var names: [String] = []
    var commands: [[String]] = []

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments.dropFirst()
        guard let mode = rest.popFirst() else { throw ToolError("usage: swiftlet-runtime-tool pod-start|hold --state DIR --rootfs DIR …") }
        options.mode = mode
        var current: [String] = []
        var inCommand = false
        while let argument = rest.popFirst() {
            if inCommand {
                if argument == "--" { options.commands.append(current); current = []; continue }
                current.append(argument)
                continue
            }
            func value() throws -> String {
                guard let next = rest.popFirst() else { throw ToolError("\(argument) needs a value") }
                return next
            }
            switch argument {
            case "--state": options.state = try value()
            case "--rootfs": options.rootfs = try value()
            case "--monitor": options.monitor = try value()
            case "--cgroup-parent": options.cgroupParent = try value()
            case "--log-root": options.logRoot = try value()
            case "--iterations": options.iterations = Int(try value()) ?? 20
            case "--runc": options.runc = try value()
            case "--name": options.names.append(try value())
            case "--": inCommand = true
            default: throw ToolError("unknown option \(argument)")
            }
        }
        if !current.isEmpty { options.commands.append(current) }
        guard !options.state.isEmpty, !options.rootfs.isEmpty else { throw ToolError("--state and --rootfs are required") }
        if options.logRoot.isEmpty { options.logRoot = options.state + "/pods" }
        if options.commands.isEmpty { options.commands = [["sleep", "600"]] }
        return options
    }
}

struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func makeRuntime(_ options: Options) async throws -> NativeRuntime {
    let store = DirectoryImageStore(images: ["rootfs": .init(directory: options.rootfs, config: ImageConfig(cmd: ["sh"]))])
    return try await NativeRuntime.start(configuration: NativeRuntimeConfiguration(
        stateDirectory: options.state, monitorPath: options.monitor, cgroupParent: options.cgroupParent, rootfs: store, images: store))
}

func sandboxConfig(_ options: Options, _ name: String) -> PodSandboxConfig {
    let metadata = PodSandboxMetadata(name: name, uid: UUID().uuidString.lowercased(), namespace: "tool")
    return PodSandboxConfig(metadata: metadata, hostname: name, logDirectory: metadata.logDirectory(root: options.logRoot))
}

func podStart(_ options: Options) async throws {
    let runtime = try await makeRuntime(options)
    let clock = ContinuousClock()
    var native: [Double] = []
    var phases: [String: [Double]] = [:]
    for index in 0..<options.iterations {
        let config = sandboxConfig(options, "bench-\(index)")
        let started = clock.now
        let sandbox = try await runtime.runPodSandbox(config, runtimeHandler: "")
        let sandboxDone = clock.now
        let container = try await runtime.createContainer(
            podSandboxID: sandbox,
            config: ContainerConfig(metadata: ContainerMetadata(name: "c"), image: ImageSpec("rootfs"), command: options.commands[0], logPath: "c/0.log"),
            sandboxConfig: config)
        let created = clock.now
        try await runtime.startContainer(id: container)
        let running = clock.now
        native.append((running - started) / .milliseconds(1))
        phases["run_pod_sandbox", default: []].append((sandboxDone - started) / .milliseconds(1))
        phases["create_container", default: []].append((created - sandboxDone) / .milliseconds(1))
        phases["start_container", default: []].append((running - created) / .milliseconds(1))
        try await runtime.removePodSandbox(id: sandbox)
    }
    await runtime.shutdown()

    var runcSamples: [Double] = []
    if !options.runc.isEmpty {
        let bundle = options.state + "/runc-bundle"
        try? FileManager.default.removeItem(atPath: bundle)
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        try run(options.runc, ["spec", "--bundle", bundle])
        let configPath = bundle + "/config.json"
        var spec = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any] ?? [:]
        spec["root"] = ["path": options.rootfs, "readonly": true]
        var process = spec["process"] as? [String: Any] ?? [:]
        process["args"] = options.commands[0]
        process["terminal"] = false
        spec["process"] = process
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: configPath))
        for index in 0..<options.iterations {
            let id = "swiftlet-bench-\(getpid())-\(index)"
            let started = clock.now
            try run(options.runc, ["run", "-d", "--bundle", bundle, id])
            runcSamples.append((clock.now - started) / .milliseconds(1))
            try run(options.runc, ["delete", "-f", id])
        }
        try? FileManager.default.removeItem(atPath: bundle)
    }
    var report: [String: Any] = ["benchmark": "pod_start", "iterations": options.iterations, "native_ms": native, "native_median_ms": median(native),
        "native_phase_median_ms": phases.mapValues(median)]
    if !runcSamples.isEmpty {
        report["runc_ms"] = runcSamples
        report["runc_median_ms"] = median(runcSamples)
        report["median_ratio"] = median(native) / median(runcSamples)
    }
    print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
}

func run(_ executable: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ToolError("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
}

/// One line on stdout, written through at once (a parent process is reading it).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func hold(_ options: Options) async throws {
    let runtime = try await makeRuntime(options)
    let config = sandboxConfig(options, "hold")
    let sandbox = try await runtime.runPodSandbox(config, runtimeHandler: "")
    say("sandbox \(sandbox)")
    for (index, command) in options.commands.enumerated() {
        let name = index < options.names.count ? options.names[index] : "c\(index)"
        let container = try await runtime.createContainer(
            podSandboxID: sandbox,
            config: ContainerConfig(metadata: ContainerMetadata(name: name), image: ImageSpec("rootfs"), command: command, logPath: "\(name)/0.log"),
            sandboxConfig: config)
        try await runtime.startContainer(id: container)
        say("container \(name) \(container)")
    }
    say("ready")
    while true { try await Task.sleep(for: .seconds(3600)) }
}

do {
    let options = try Options.parse(CommandLine.arguments)
    switch options.mode {
    case "pod-start": try await podStart(options)
    case "hold": try await hold(options)
    default: throw ToolError("unknown mode \(options.mode); expected pod-start or hold")
    }
} catch {
    FileHandle.standardError.write(Data("swiftlet-runtime-tool: \(error)\n".utf8))
    exit(1)
}
