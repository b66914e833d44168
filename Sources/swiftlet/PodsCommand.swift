import ArgumentParser
import Foundation
import KubeAPI
import NodeAgent

/// `swiftlet pods list|get`: the running agent's pods, read through its local API.
struct PodsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pods",
        abstract: "Show the pods the running agent runs (through its local API socket).",
        subcommands: [List.self, Get.self])

    /// `swiftlet pods list [-n NS | -A]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List pods as `kubectl get pods -o wide` does.")
        @OptionGroup var options: LocalAPIOptions
        @Option(name: .shortAndLong, help: "Only pods of this namespace.") var namespace = "default"
        @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Pods of every namespace.") var allNamespaces = false

        func run() async throws {
            let path = allNamespaces ? "/api/v1/pods" : "/api/v1/namespaces/\(namespace)/pods"
            let list = try await options.client().get(path)
            let pods = try (list["items"]?.arrayValue.map(Array.init) ?? []).map { item in
                try CoreV1.Pod(from: item, context: .lax)
            }
            if pods.isEmpty {
                printToStandardError(allNamespaces ? "No resources found" : "No resources found in \(namespace) namespace.")
                return
            }
            print(PodTable.render(pods, namespaces: allNamespaces), terminator: "")
        }
    }

    /// `swiftlet pods get NAME [-n NS] -o yaml|json`
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one pod with its status as YAML or JSON.")
        @OptionGroup var options: LocalAPIOptions
        @Option(name: .shortAndLong, help: "The pod's namespace.") var namespace = "default"
        @Option(name: .shortAndLong, help: "yaml or json.") var output: Format = .yaml
        @Argument(help: "The pod's name.") var name: String

        enum Format: String, ExpressibleByArgument { case yaml, json }

        func run() async throws {
            let pod = try await options.client().get("/api/v1/namespaces/\(namespace)/pods/\(name)")
            switch output {
            case .json:
                // Indented as kubectl prints it, members in the object's order.
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(pod), as: UTF8.self))
            case .yaml: print(YAMLWriter.string(pod), terminator: "")
            }
        }
    }
}
