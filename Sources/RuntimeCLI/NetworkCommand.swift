import ArgumentParser
import Foundation
import PodNetwork
import RuntimeWiring

/// `swiftlet network …`: the node's pod network.
public struct NetworkCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Inspect the node's pod network.", subcommands: [Status.self])

    public init() {}

    /// `swiftlet network status`
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the pod network: plugin, bridge, pod CIDRs, gateways and which sandbox holds each address.")
        @OptionGroup var options: RuntimeOptions
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            // Through the runtime: the plugin starts with the sandboxes the runtime knows (loading
            // its leases), so it releases nothing that is in use.
            let found = try await options.withRuntime { node in
                try await node.startNetwork()
                return try await node.plugin?.status()
            }
            guard let status = found else {
                print("plugin: none (loopback only)")
                return
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(status), as: UTF8.self))
                return
            }
            print("plugin:   \(status.plugin)")
            print("network:  \(status.networkName)")
            print("bridge:   \(status.bridge ?? "-")")
            print("podCIDRs: \(status.podCIDRs.map(\.description).joined(separator: ", "))")
            print("gateways: \(status.gateways.map(\.description).joined(separator: ", "))")
            print("leases:   \(status.leases.count)")
            if !status.leases.isEmpty {
                RuntimeTable.print(
                    ["ADDRESS", "SANDBOX", "INTERFACE", "POD"],
                    status.leases.map { [$0.address.description, String($0.sandboxID.prefix(13)), $0.interfaceName, $0.podReference] })
            }
        }
    }
}
