import ArgumentParser
import NodeAgent

/// `swiftlet config`: check a configuration file, print the defaults.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file or print the default configuration.",
        subcommands: [Check.self, Defaults.self]
    )

    /// `swiftlet config check FILE`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a configuration file without starting anything.",
            discussion: """
                Decodes every document of FILE strictly (unknown fields are errors) and validates \
                the values. Prints "FILE: ok" or each problem as file:line: field.path: message; \
                exits 2 when the file is invalid.
                """
        )

        @Argument(help: ArgumentHelp("The configuration file.", valueName: "file"))
        var file: String

        @Flag(name: .long, help: "Print the effective configuration (file plus defaults) when it is valid.")
        var print = false

        func run() throws {
            do {
                let configuration = try NodeConfiguration.load(path: file)
                if print {
                    Swift.print(configuration.yaml(), terminator: "")
                } else {
                    Swift.print("\(file): ok")
                }
            } catch {
                printToStandardError(error.description)
                throw ExitCode.usageOrConfiguration
            }
        }
    }

    /// `swiftlet config defaults`.
    struct Defaults: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "defaults",
            abstract: "Print the effective default configuration (all three documents) as YAML."
        )

        func run() {
            print(NodeConfiguration.defaults.yaml(), terminator: "")
        }
    }
}
