// swiftlet-runtime-tool: drives NativeRuntime from an executable with a directory rootfs, without
// the rest of the agent:
//
//   hold       starts one pod with the given containers, prints their IDs, then waits forever:
//              the "agent" that tests kill with SIGKILL to check that containers outlive it.
//
// Options: --state DIR --rootfs DIR [--monitor PATH] [--cgroup-parent P] [--log-root DIR]
//          [--name NAME] -- command... [-- command...]
//
// The start path is measured by `scripts/bench runtime` (Benchmarks/swiftlet-bench-runtime) alone.
// This tool's former `pod-start` mode measured the same calls to the same end point, but ran all
// native pods before all runc runs without a warm-up, so the first cold start and a change of load
// between the two blocks fell on one side only; its 0.21–0.26 were also taken before the devices
// cgroup, the cgroup namespace and the /sys/fs/cgroup binds joined the start path.

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
    var names: [String] = []
    var commands: [[String]] = []

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments.dropFirst()
        guard let mode = rest.popFirst() else { throw ToolError("usage: swiftlet-runtime-tool hold --state DIR --rootfs DIR …") }
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

func makeRuntime(_ options: Options) async throws -> NativeRuntime {
    let store = DirectoryImageStore(images: ["rootfs": .init(directory: options.rootfs, config: ImageConfig(cmd: ["sh"]))])
    return try await NativeRuntime.start(configuration: NativeRuntimeConfiguration(
        stateDirectory: options.state, monitorPath: options.monitor, cgroupParent: options.cgroupParent, rootfs: store, images: store))
}

func sandboxConfig(_ options: Options, _ name: String) -> PodSandboxConfig {
    let metadata = PodSandboxMetadata(name: name, uid: UUID().uuidString.lowercased(), namespace: "tool")
    return PodSandboxConfig(metadata: metadata, hostname: name, logDirectory: metadata.logDirectory(root: options.logRoot))
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
    case "hold": try await hold(options)
    default: throw ToolError("unknown mode \(options.mode); expected hold")
    }
} catch {
    FileHandle.standardError.write(Data("swiftlet-runtime-tool: \(error)\n".utf8))
    exit(1)
}
