import ArgumentParser
import NodeAgent

/// `swiftlet manifest`: work with Kubernetes object manifests (pods, services, configmaps,
/// secrets, ...).
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Check Kubernetes object manifests.",
        subcommands: [Check.self]
    )

    /// `swiftlet manifest check FILE...`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Decode and validate every document of every file.",
            discussion: """
                Each document is decoded strictly (unknown fields are errors) and validated as the \
                API server would. Prints "FILE: ok (N objects)" for a valid file and each problem \
                as file:line: field.path: message otherwise; exits 1 when any file is invalid.
                """
        )

        @Argument(help: ArgumentHelp("Manifest files (YAML or JSON, multi-document).", valueName: "file"))
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else {
                throw ValidationError("Expected at least one manifest file.")
            }
        }

        func run() throws {
            var anyInvalid = false
            for file in files {
                let report = ManifestChecker.check(path: file)
                if report.problems.isEmpty {
                    print("\(file): ok (\(report.objectCount) \(report.objectCount == 1 ? "object" : "objects"))")
                } else {
                    anyInvalid = true
                    for problem in report.problems {
                        printToStandardError(problem.description)
                    }
                }
            }
            if anyInvalid {
                throw ExitCode.runtimeFailure
            }
        }
    }
}
