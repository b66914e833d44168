import ArgumentParser
import Foundation
import Logging
import NodeAgent

/// `swiftlet proxy`: the service proxy on its own (`run`) and the Service routing the kernel
/// holds (`rules`).
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the service proxy alone, or show the Service routing programmed in the kernel.",
        subcommands: [ProxyRunCommand.self, ProxyRulesCommand.self]
    )
}

/// `swiftlet proxy rules [--netns PATH]`: prints the kube-proxy tables as one row per
/// service frontend and endpoint.
struct ProxyRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Print the Service routing read back from the kernel's kube-proxy tables.",
        discussion: """
            Reads the 'kube-proxy' tables (ip and ip6) as swiftlet or upstream kube-proxy's \
            nftables mode programs them and prints SERVICE, PROTO, FRONTEND, ENDPOINTS and POLICY. \
            Needs CAP_NET_ADMIN.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Read the tables of this network namespace (e.g. /run/netns/NAME).", valueName: "path"))
    var netns: String?

    func run() async throws {
        do {
            print(try ProxyRulesReport.text(networkNamespace: netns), terminator: "")
        } catch {
            printToStandardError("swiftlet proxy rules: \(error)")
            throw ExitCode.runtimeFailure
        }
    }
}

/// `swiftlet proxy run --config FILE [--manifests DIR]`: the service proxy alone, with
/// Services and EndpointSlices from manifest files.
struct ProxyRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run only the service proxy in the foreground.",
        discussion: """
            Uses the KubeProxyConfiguration of the configuration file. Services and EndpointSlices \
            are read from the .yaml, .yml and .json files of --manifests, again on SIGHUP and every \
            configSyncPeriod. /healthz and /livez answer on healthzBindAddress, /metrics on \
            metricsBindAddress. SIGTERM or SIGINT stops the proxy; the programmed rules stay.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String = NodeConfiguration.defaultPath

    @Option(name: .long, help: ArgumentHelp("A directory of Service and EndpointSlice manifests.", valueName: "dir"))
    var manifests: String?

    @Option(name: .long, help: ArgumentHelp("Override the configured log level.", valueName: "level"))
    var logLevel: Logger.Level?

    func run() async throws {
        let configuration: NodeConfiguration
        do {
            configuration = try NodeConfiguration.load(path: config)
        } catch {
            printToStandardError(error.description)
            throw ExitCode.usageOrConfiguration
        }
        let environment = ProcessInfo.processInfo.environment
        AgentLogHandler.bootstrap(logLevel: logLevel ?? configuration.swiftlet.logLevel.loggerLevel, environment: environment)
        let logger = Logger(label: "swiftlet-proxy")
        do {
            try await ServiceProxyAgent(configuration: configuration.proxy, manifestDirectory: manifests, logger: logger).run()
        } catch {
            logger.critical("service proxy failed", metadata: ["error": "\(error)"])
            throw ExitCode.runtimeFailure
        }
    }
}
