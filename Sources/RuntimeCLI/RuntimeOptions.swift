import ArgumentParser
import ContainerRuntime
import Foundation
import Logging
import NativeRuntime
import NodeAgent
import RuntimeWiring

/// Where the node configuration is and how chatty the runtime is; shared by every `runtime` and
/// `network` subcommand.
public struct RuntimeOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The node configuration file (default: \(NodeConfiguration.defaultPath), or the defaults when it does not exist).")
    var config: String?

    @Option(help: "The swiftlet-monitor executable (default: next to this executable).")
    var monitor: String?

    @Flag(name: .shortAndLong, help: "Log the runtime's lifecycle events to standard error.")
    var verbose = false

    public init() {}

    func loadConfiguration() throws -> NodeConfiguration {
        if let config { return try NodeConfiguration.load(path: config) }
        guard FileManager.default.fileExists(atPath: NodeConfiguration.defaultPath) else { return .defaults }
        return try NodeConfiguration.load(path: NodeConfiguration.defaultPath)
    }

    var monitorPath: String {
        if let monitor { return monitor }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("swiftlet-monitor").path
    }

    var logger: Logger {
        var logger = Logger(label: "swiftlet.runtime")
        logger.logLevel = verbose ? .info : .warning
        return logger
    }

    func settings() throws -> NodeRuntimeSettings {
        try NodeRuntimeSettings(node: loadConfiguration(), monitorPath: monitorPath, logger: logger)
    }

    /// Opens the node's runtime (re-adopting what earlier invocations or the agent started), runs
    /// `body`, then stops watching: containers keep running under their monitors. The pod network
    /// plugin starts only if `body` attaches or detaches a pod (or asks for it).
    func withRuntime<T>(_ body: (NodeRuntime) async throws -> T) async throws -> T {
        let node = try await NodeRuntime.open(settings(), networkStart: .onFirstUse)
        do {
            let result = try await body(node)
            await node.runtime.shutdown()
            return result
        } catch {
            await node.runtime.shutdown()
            throw error
        }
    }
}

extension NativeRuntime {
    /// The sandbox whose ID is `prefix` or starts with it (as crictl accepts).
    /// - Throws: `ValidationError` when none or several match.
    func sandboxID(matching prefix: String) async throws -> String {
        let ids = try await listPodSandboxes(filter: PodSandboxFilter()).map(\.id)
        return try Self.unique(prefix, in: ids, kind: "pod sandbox")
    }

    /// The container whose ID is `prefix` or starts with it.
    func containerID(matching prefix: String) async throws -> String {
        let ids = try await listContainers(filter: ContainerFilter()).map(\.id)
        return try Self.unique(prefix, in: ids, kind: "container")
    }

    static func unique(_ prefix: String, in ids: [String], kind: String) throws -> String {
        if ids.contains(prefix) { return prefix }
        let matches = ids.filter { $0.hasPrefix(prefix) }
        guard !prefix.isEmpty, matches.count == 1 else {
            throw ValidationError(matches.isEmpty ? "no \(kind) with ID \(prefix)" : "\(prefix) names \(matches.count) \(kind)s; give more of the ID")
        }
        return matches[0]
    }
}
