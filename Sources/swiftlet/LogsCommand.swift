import ArgumentParser
import Foundation
import NodeAgent

/// `swiftlet logs POD [-c C] [-f] [--previous]`: a container's log through the agent's local API,
/// message text only, as `kubectl logs` prints it.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print the log of a container in a pod of the running agent.")
    @OptionGroup var options: LocalAPIOptions
    @Option(name: .shortAndLong, help: "The pod's namespace.") var namespace = "default"
    @Option(name: .shortAndLong, help: "The container (needed when the pod has more than one).") var container: String?
    @Flag(name: .shortAndLong, help: "Keep printing new lines until the container stops.") var follow = false
    @Flag(name: .shortAndLong, help: "The log of the previous instance of the container (before its last restart).") var previous = false
    @Option(help: "Only the last N lines.") var tail: Int?
    @Option(name: .customLong("limit-bytes"), help: "At most this many bytes.") var limitBytes: Int?
    @Argument(help: "The pod's name.") var pod: String

    func run() async throws {
        var query: [(name: String, value: String)] = []
        if let container { query.append(("container", container)) }
        if follow { query.append(("follow", "true")) }
        if previous { query.append(("previous", "true")) }
        if let tail { query.append(("tailLines", String(tail))) }
        if let limitBytes { query.append(("limitBytes", String(limitBytes))) }
        try await options.client().stream("/api/v1/namespaces/\(namespace)/pods/\(pod)/log", query: query) { bytes in
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}
