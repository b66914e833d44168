import ArgumentParser
import NodeAgent

/// `swiftlet version`: the agent's version, the Swift compiler it was built with and the
/// Kubernetes API schema version of its object model.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the swiftlet version, Swift version and Kubernetes API schema version."
    )

    @Flag(name: .shortAndLong, help: "Print only the swiftlet version.")
    var short = false

    func run() {
        let info = SwiftletVersionInfo.current
        if short {
            print(info.short)
        } else {
            print(info.long)
        }
    }
}
