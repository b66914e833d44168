import ArgumentParser
import Foundation
import Logging
import NodeAgent

/// `swiftlet run`: loads the configuration and runs the node agent until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node agent in the foreground (as systemd does).",
        discussion: """
            Loads and validates the configuration file first: an invalid file is reported with \
            its line and field path and nothing is started (exit code 2). Then starts the agent's \
            services, answers /healthz on healthzBindAddress:healthzPort, and tells systemd \
            READY=1 when $NOTIFY_SOCKET is set. SIGTERM or SIGINT stops the agent gracefully; \
            running pods are left running.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String = NodeConfiguration.defaultPath

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Override the configured log level (trace, debug, info, notice, warning, error, critical).",
            valueName: "level"))
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
        AgentLogHandler.bootstrap(
            logLevel: logLevel ?? configuration.swiftlet.logLevel.loggerLevel, environment: environment)
        let logger = Logger(label: "swiftlet")

        let agent = NodeAgent(configuration: configuration, environment: environment, logger: logger)
        do {
            try await agent.run()
        } catch let error as ConfigurationError {
            // Found only when the pod side starts (e.g. a node namespace that does not exist).
            printToStandardError(error.description)
            throw ExitCode.usageOrConfiguration
        } catch {
            logger.critical("node agent failed", metadata: ["error": "\(error)"])
            throw ExitCode.runtimeFailure
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Writes `text` and a newline to standard error.
func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
