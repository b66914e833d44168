// swiftlet: the command line of the node agent.
//
// Noun-verb commands in the style of crictl and kubectl. Each command group lives in its own
// file (`RunCommand.swift`, `ConfigCommand.swift`, `ManifestCommand.swift`, ...); a later group
// (`images`, `pods`, `logs`, `exec`, `join`, `runtime`, `proxy`, `network`) is added by adding its
// file and naming it in `subcommands` below. The commands hold no logic of their own beyond
// argument handling and printing: the work is done by NodeAgent.
//
// Exit codes: 0 success, 1 runtime failure or invalid manifest, 2 usage or configuration error.

import ArgumentParser
import ImagesCLI
import Foundation
import NodeAgent
import RuntimeCLI

@main
struct Swiftlet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "Kubernetes node agent: runs pods and the service proxy on this node.",
        discussion: """
            swiftlet does the work of the kubelet and kube-proxy in one process, run by systemd \
            (see systemd/swiftlet.service). Configuration is one YAML file holding a \
            KubeletConfiguration, a KubeProxyConfiguration and a SwiftletConfiguration.

            Exit codes: 0 success, 1 runtime failure or invalid manifest, 2 usage or \
            configuration error.
            """,
        version: SwiftletVersionInfo.current.short,
        subcommands: [
            RunCommand.self,
            VersionCommand.self,
            ConfigCommand.self,
            ManifestCommand.self,
            ImagesCommand.self,
            RuntimeCommand.self,
            NetworkCommand.self,
            ProxyCommand.self,
            JoinCommand.self,
            PodsCommand.self,
            LogsCommand.self,
            ExecCommand.self,
        ]
    )

    /// Parses and runs the command, mapping usage errors to exit code 2 (ArgumentParser's own
    /// default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty {
                    printToStandardError(message)
                }
                Foundation.exit(ExitCode.usageOrConfiguration.rawValue)
            }
            exit(withError: error)
        }
    }
}

extension ExitCode {
    /// A runtime failure, or a manifest that does not pass `manifest check`.
    static let runtimeFailure = ExitCode(1)
    /// A usage error or an invalid configuration file.
    static let usageOrConfiguration = ExitCode(2)
}
