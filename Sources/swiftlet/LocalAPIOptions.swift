import ArgumentParser
import Foundation
import NodeAgent

/// How `pods`, `logs` and `exec` find the running agent: its socket, given directly or read
/// from the node configuration's `apiSocket`.
struct LocalAPIOptions: ParsableArguments {
    @Option(help: "The node configuration file, for its apiSocket (default: \(NodeConfiguration.defaultPath), or the defaults when it does not exist).")
    var config: String?

    @Option(help: "The agent's local API socket (overrides the configuration's apiSocket).")
    var socket: String?

    /// The client for the configured socket.
    ///
    /// - Throws: `ConfigurationError` when the configuration file does not load.
    func client() throws -> LocalAPIClient {
        if let socket { return LocalAPIClient(socketPath: socket) }
        let configuration: NodeConfiguration
        if let config {
            configuration = try NodeConfiguration.load(path: config)
        } else if FileManager.default.fileExists(atPath: NodeConfiguration.defaultPath) {
            configuration = try NodeConfiguration.load(path: NodeConfiguration.defaultPath)
        } else {
            configuration = .defaults
        }
        return LocalAPIClient(socketPath: configuration.swiftlet.apiSocket)
    }
}
