// RuntimeCLI: the `swiftlet runtime` command group in the spirit of crictl (pods, ps, inspect,
// logs, exec, stats, runp, create, start, stop, rm, inspectp, stopp, rmp) and `swiftlet network
// status`. Each invocation opens the node's runtime from the node configuration (the native
// runtime on the image store and the pod network, see RuntimeWiring), does one thing and stops
// watching: containers live on under their monitors and the next invocation, or the agent,
// re-adopts them. So the commands work with or without the agent running.
//
// Sandbox and container specs are crictl's JSON (or YAML) files; see `CRISpecReader`.

import ArgumentParser
import ContainerRuntime
import Foundation
import NativeRuntime
import RuntimeWiring

/// `swiftlet runtime …`: talk to the node's container runtime directly.
public struct RuntimeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Run and inspect pod sandboxes and containers on the node's runtime (as crictl does).",
        subcommands: [
            Pods.self, PS.self, Inspect.self, InspectP.self, Logs.self, Exec.self, Stats.self, RunP.self, Create.self,
            Start.self, Stop.self, Remove.self, StopP.self, RemoveP.self,
        ])

    public init() {}
}

extension RuntimeCommand {
    /// `swiftlet runtime runp POD.yaml`
    struct RunP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "runp", abstract: "Run a pod sandbox from a PodSandboxConfig file; print its ID.")
        @OptionGroup var options: RuntimeOptions
        @Argument(help: "A PodSandboxConfig as JSON or YAML (crictl's shape).") var podConfig: String

        func run() async throws {
            let config = try CRISpecReader.sandboxConfig(path: podConfig)
            let id = try await options.withRuntime { try await $0.runtime.runPodSandbox(config, runtimeHandler: "") }
            print(id)
        }
    }

    /// `swiftlet runtime create POD-ID CONTAINER.yaml POD.yaml`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a container in a pod sandbox from a ContainerConfig file; print its ID.",
            discussion: "The image is pulled first when the store does not have it (unless --no-pull).")
        @OptionGroup var options: RuntimeOptions
        @Flag(name: .customLong("no-pull"), help: "Fail instead of pulling a missing image.") var noPull = false
        @Argument(help: "The pod sandbox ID (or a unique prefix).") var podID: String
        @Argument(help: "A ContainerConfig as JSON or YAML.") var containerConfig: String
        @Argument(help: "The PodSandboxConfig the sandbox was run with.") var podConfig: String

        func run() async throws {
            let container = try CRISpecReader.containerConfig(path: containerConfig)
            let sandbox = try CRISpecReader.sandboxConfig(path: podConfig)
            let id = try await options.withRuntime { node in
                let podID = try await node.runtime.sandboxID(matching: podID)
                if try await node.runtime.imageStatus(container.image) == nil {
                    guard !noPull else { throw ValidationError("image \(container.image.image) is not in the store (and --no-pull)") }
                    _ = try await node.runtime.pullImage(container.image, auth: nil, sandboxConfig: sandbox)
                }
                return try await node.runtime.createContainer(podSandboxID: podID, config: container, sandboxConfig: sandbox)
            }
            print(id)
        }
    }

    /// `swiftlet runtime start ID…`
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start created containers.")
        @OptionGroup var options: RuntimeOptions
        @Argument(help: "Container IDs (or unique prefixes).") var ids: [String]

        func run() async throws {
            try await options.withRuntime { node in
                for prefix in ids {
                    let id = try await node.runtime.containerID(matching: prefix)
                    try await node.runtime.startContainer(id: id)
                    print(id)
                }
            }
        }
    }

    /// `swiftlet runtime stop [-t SECONDS] ID…`
    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop running containers (the stop signal, then SIGKILL after the timeout).")
        @OptionGroup var options: RuntimeOptions
        @Option(name: [.customShort("t"), .long], help: "Seconds to wait before SIGKILL.") var timeout: Int64 = 10
        @Argument(help: "Container IDs (or unique prefixes).") var ids: [String]

        func run() async throws {
            try await options.withRuntime { node in
                for prefix in ids {
                    let id = try await node.runtime.containerID(matching: prefix)
                    try await node.runtime.stopContainer(id: id, timeout: timeout)
                    print(id)
                }
            }
        }
    }

    /// `swiftlet runtime rm [-f] ID…`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove containers.")
        @OptionGroup var options: RuntimeOptions
        @Flag(name: .shortAndLong, help: "Stop a running container first (without waiting).") var force = false
        @Argument(help: "Container IDs (or unique prefixes).") var ids: [String]

        func run() async throws {
            try await options.withRuntime { node in
                for prefix in ids {
                    let id = try await node.runtime.containerID(matching: prefix)
                    let status = try await node.runtime.containerStatus(id: id)
                    if status.state == .running {
                        guard force else { throw ValidationError("container \(id) is running: stop it first or use --force") }
                        try await node.runtime.stopContainer(id: id, timeout: 0)
                    }
                    try await node.runtime.removeContainer(id: id)
                    print(id)
                }
            }
        }
    }

    /// `swiftlet runtime stopp ID…`
    struct StopP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stopp", abstract: "Stop pod sandboxes: their containers, and release their network.")
        @OptionGroup var options: RuntimeOptions
        @Argument(help: "Pod sandbox IDs (or unique prefixes).") var ids: [String]

        func run() async throws {
            try await options.withRuntime { node in
                for prefix in ids {
                    let id = try await node.runtime.sandboxID(matching: prefix)
                    try await node.runtime.stopPodSandbox(id: id)
                    print("Stopped sandbox \(id)")
                }
            }
        }
    }

    /// `swiftlet runtime rmp ID…`
    struct RemoveP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rmp", abstract: "Remove pod sandboxes and their containers.")
        @OptionGroup var options: RuntimeOptions
        @Argument(help: "Pod sandbox IDs (or unique prefixes).") var ids: [String]

        func run() async throws {
            try await options.withRuntime { node in
                for prefix in ids {
                    let id = try await node.runtime.sandboxID(matching: prefix)
                    try await node.runtime.removePodSandbox(id: id)
                    print("Removed sandbox \(id)")
                }
            }
        }
    }

    /// `swiftlet runtime pods`
    struct Pods: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pod sandboxes.")
        @OptionGroup var options: RuntimeOptions
        @Option(help: "Only sandboxes of pods with this name.") var name: String?
        @Option(help: "Only sandboxes in this namespace.") var namespace: String?
        @Flag(name: .shortAndLong, help: "Print only the IDs.") var quiet = false

        func run() async throws {
            let sandboxes = try await options.withRuntime { try await $0.runtime.listPodSandboxes(filter: PodSandboxFilter()) }
                .filter { (name == nil || $0.metadata.name == name) && (namespace == nil || $0.metadata.namespace == namespace) }
            if quiet {
                for sandbox in sandboxes { print(sandbox.id) }
                return
            }
            RuntimeTable.print(
                ["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT"],
                sandboxes.map {
                    [String($0.id.prefix(13)), RuntimeTable.age($0.createdAt), $0.state == .ready ? "Ready" : "NotReady", $0.metadata.name,
                     $0.metadata.namespace, String($0.metadata.attempt)]
                })
        }
    }

    /// `swiftlet runtime ps`
    struct PS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers (running ones unless --all).")
        @OptionGroup var options: RuntimeOptions
        @Flag(name: .shortAndLong, help: "Containers in every state.") var all = false
        @Option(name: [.customShort("p"), .customLong("pod")], help: "Only containers of this pod sandbox.") var pod: String?
        @Flag(name: .shortAndLong, help: "Print only the IDs.") var quiet = false

        func run() async throws {
            let containers = try await options.withRuntime { node in
                var filter = ContainerFilter(state: all ? nil : .running)
                if let pod { filter.podSandboxID = try await node.runtime.sandboxID(matching: pod) }
                return try await node.runtime.listContainers(filter: filter)
            }
            if quiet {
                for container in containers { print(container.id) }
                return
            }
            RuntimeTable.print(
                ["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID"],
                containers.map {
                    [String($0.id.prefix(13)), $0.image.image, RuntimeTable.age($0.createdAt), RuntimeTable.stateName($0.state),
                     $0.metadata.name, String($0.metadata.attempt), String($0.podSandboxID.prefix(13))]
                })
        }
    }

    /// `swiftlet runtime inspect ID…`
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print containers' status as JSON.")
        @OptionGroup var options: RuntimeOptions
        @Argument(help: "Container IDs (or unique prefixes).") var ids: [String]

        func run() async throws {
            let statuses = try await options.withRuntime { node in
                var statuses: [ContainerStatus] = []
                for prefix in ids { statuses.append(try await node.runtime.containerStatus(id: node.runtime.containerID(matching: prefix))) }
                return statuses
            }
            for status in statuses { print(try RuntimeJSON.text(RuntimeJSON.object(status))) }
        }
    }

    /// `swiftlet runtime inspectp ID…`
    struct InspectP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspectp", abstract: "Print pod sandboxes' status as JSON (with the pod's IPs).")
        @OptionGroup var options: RuntimeOptions
        @Argument(help: "Pod sandbox IDs (or unique prefixes).") var ids: [String]

        func run() async throws {
            let statuses = try await options.withRuntime { node in
                var statuses: [PodSandboxStatus] = []
                for prefix in ids { statuses.append(try await node.runtime.podSandboxStatus(id: node.runtime.sandboxID(matching: prefix))) }
                return statuses
            }
            for status in statuses { print(try RuntimeJSON.text(RuntimeJSON.object(status))) }
        }
    }

    /// `swiftlet runtime logs ID`
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a container's log: its stdout to standard output, its stderr to standard error.")
        @OptionGroup var options: RuntimeOptions
        @Option(help: "Only the last N lines.") var tail: Int?
        @Flag(name: .shortAndLong, help: "Prefix each line with its RFC 3339 timestamp.") var timestamps = false
        @Argument(help: "A container ID (or a unique prefix).") var id: String

        func run() async throws {
            let status = try await options.withRuntime { try await $0.runtime.containerStatus(id: $0.runtime.containerID(matching: id)) }
            guard let data = FileManager.default.contents(atPath: status.logPath) else {
                throw ValidationError("\(status.logPath): the container's log cannot be read")
            }
            var lines = RuntimeLog.joinedLines(CRILogLine.parseAll(Array(data)))
            if let tail { lines = Array(lines.suffix(max(0, tail))) }
            for line in lines {
                let text = (timestamps ? RuntimeLog.timestamp(line.timestamp) + " " : "") + line.text + "\n"
                FileHandle(fileDescriptor: line.channel == .stderr ? 2 : 1).write(Data(text.utf8))
            }
        }
    }

    /// `swiftlet runtime exec ID -- COMMAND…`
    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a command in a running container; exits with its exit code.")
        @OptionGroup var options: RuntimeOptions
        @Option(help: "Kill the command after this many seconds (0: no limit).") var timeout: Int64 = 0
        @Argument(help: "A container ID (or a unique prefix).") var id: String
        @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String]

        func run() async throws {
            let argv = command.first == "--" ? Array(command.dropFirst()) : command
            guard !argv.isEmpty else { throw ValidationError("exec needs a command after the container ID") }
            let result = try await options.withRuntime { node in
                try await node.runtime.execSync(containerID: node.runtime.containerID(matching: id), command: argv, timeout: timeout)
            }
            FileHandle.standardOutput.write(Data(result.stdout))
            FileHandle.standardError.write(Data(result.stderr))
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }

    /// `swiftlet runtime stats [ID…]`
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print containers' CPU, memory and process counts.")
        @OptionGroup var options: RuntimeOptions
        @Option(name: [.customShort("p"), .customLong("pod")], help: "Only containers of this pod sandbox.") var pod: String?
        @Argument(help: "Container IDs (or unique prefixes); all running containers without.") var ids: [String] = []

        func run() async throws {
            let stats = try await options.withRuntime { node in
                if !ids.isEmpty {
                    var stats: [ContainerStats] = []
                    for prefix in ids { stats.append(try await node.runtime.containerStats(id: node.runtime.containerID(matching: prefix))) }
                    return stats
                }
                var filter = ContainerStatsFilter()
                if let pod { filter.podSandboxID = try await node.runtime.sandboxID(matching: pod) }
                return try await node.runtime.listContainerStats(filter: filter)
            }
            RuntimeTable.print(
                ["CONTAINER", "NAME", "CPU NS", "MEM WS", "MEM RSS", "PIDS"],
                stats.map {
                    [String($0.id.prefix(13)), $0.metadata.name, $0.cpuUsageCoreNanoSeconds.map(String.init) ?? "-",
                     $0.memoryWorkingSetBytes.map(RuntimeTable.bytes) ?? "-", $0.memoryRSSBytes.map(RuntimeTable.bytes) ?? "-",
                     $0.pids.map(String.init) ?? "-"]
                })
        }
    }
}
