// ImagesCLI: the `swiftlet images` command group (pull, import, list, inspect, remove) over the
// Images module. The swiftlet executable adds `ImagesCommand.self` to its subcommands; this module
// knows nothing of the rest of the agent.

import ArgumentParser
import Foundation
import Images

/// `swiftlet images …`: manage the node's image store.
public struct ImagesCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Pull, import, list, inspect and remove container images.",
        subcommands: [Pull.self, Import.self, List.self, Inspect.self, Remove.self])

    public init() {}
}

/// Where the store is and how registries are reached; shared by every `images` subcommand.
public struct ImageStoreOptions: ParsableArguments {
    @Option(help: "The image store's root directory.")
    var root: String = ImageStore.defaultRoot

    @Option(name: .customLong("plain-http"), help: "A registry (host[:port]) reached over plain HTTP. Repeatable.")
    var plainHTTP: [String] = []

    @Option(help: "A mirror as REGISTRY=URL, tried before REGISTRY itself. Repeatable.")
    var mirror: [String] = []

    @Option(name: .customLong("docker-config"), help: "A Docker config.json with registry credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json if present).")
    var dockerConfig: String?

    @Option(help: "The platform to pick from image indexes, os/arch[/variant] (default: this machine's).")
    var platform: String?

    @Option(help: "How many layers to download at once.")
    var parallel: Int = 3

    public init() {}

    func registryConfiguration() throws -> RegistryConfiguration {
        var mirrors: [String: [String]] = [:]
        for entry in mirror {
            guard let equals = entry.firstIndex(of: "="), entry[entry.index(after: equals)...].contains("://") else {
                throw ValidationError("--mirror \(entry): expected REGISTRY=URL, e.g. docker.io=https://mirror.example")
            }
            mirrors[String(entry[..<equals]), default: []].append(String(entry[entry.index(after: equals)...]))
        }
        var chosenPlatform = Platform.current
        if let platform {
            let parts = platform.split(separator: "/").map(String.init)
            guard (2...3).contains(parts.count) else { throw ValidationError("--platform \(platform): expected os/arch[/variant]") }
            chosenPlatform = Platform(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
        }
        var credentials: [String: RegistryCredential] = [:]
        if let path = dockerConfig ?? Self.defaultDockerConfig() {
            credentials = try DockerConfigFile.credentials(atPath: path)
        }
        return RegistryConfiguration(
            mirrors: mirrors, plainHTTP: Set(plainHTTP), credentials: credentials, parallelDownloads: parallel, platform: chosenPlatform)
    }

    func openStore() throws -> ImageStore {
        try ImageStore(root: root, registry: registryConfiguration())
    }

    private static func defaultDockerConfig() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["DOCKER_CONFIG"].map { $0 + "/config.json" }, environment["HOME"].map { $0 + "/.docker/config.json" }]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }
}

extension ImagesCommand {
    /// `swiftlet images pull REFERENCE…`
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pull images from their registries (or mirrors).")

        @OptionGroup var options: ImageStoreOptions
        @Flag(name: .shortAndLong, help: "Print only the image ID.")
        var quiet = false
        @Argument(help: "Image references, e.g. busybox:1.36 or registry.example:5000/app@sha256:…")
        var references: [String]

        func run() async throws {
            let store = try options.openStore()
            for reference in references {
                let bar = quiet ? nil : PullProgressBar.forStandardOutput(reference: reference)
                let image = try await store.pull(reference) { bar?.update($0) }
                bar?.finish()
                print(quiet ? image.id.description : "\(reference): \(image.id)")
            }
        }
    }

    /// `swiftlet images import PATH`
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an OCI image layout directory, an OCI archive or a `docker save` archive.")

        @OptionGroup var options: ImageStoreOptions
        @Option(help: "The repository for manifests whose ref.name annotation is a bare tag, e.g. example.com/app.")
        var repository: String?
        @Argument(help: "A directory (OCI layout) or a tar archive, optionally gzip or zstd compressed.")
        var path: String

        func run() async throws {
            let store = try options.openStore()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path): no such file or directory")
            }
            let images = isDirectory.boolValue
                ? try await store.importLayout(at: path, repository: repository)
                : try await store.importArchive(at: path, repository: repository)
            for image in images { print("\(image.names.first ?? "<none>"): \(image.id)") }
        }
    }

    /// `swiftlet images list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the images in the store.", aliases: ["ls"])

        @OptionGroup var options: ImageStoreOptions
        @Flag(name: .shortAndLong, help: "Print only image IDs.")
        var quiet = false

        func run() async throws {
            let store = try options.openStore()
            let images = await store.list()
            if quiet {
                for image in images { print(image.id) }
                return
            }
            let usage = Dictionary(uniqueKeysWithValues: await store.usage().map { ($0.id, $0) })
            var rows = [["NAME", "IMAGE ID", "SIZE", "LAST USED"]]
            for image in images {
                let names = image.names.isEmpty ? ["<none>"] : image.names
                for name in names {
                    rows.append([
                        name, image.id.short, ByteFormatting.format(usage[image.id]?.totalBytes ?? 0),
                        ISO8601DateFormatter().string(from: image.lastUsed),
                    ])
                }
            }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
            }
        }
    }

    /// `swiftlet images inspect NAME-OR-ID`
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an image's record and configuration as JSON.")

        @OptionGroup var options: ImageStoreOptions
        @Argument(help: "An image name, digest reference or ID (or a unique ID prefix).")
        var image: String

        func run() async throws {
            let store = try options.openStore()
            let found = try await store.requireImage(image)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(found), as: UTF8.self))
        }
    }

    /// `swiftlet images remove NAME-OR-ID…`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove images (or one name of an image that has several).", aliases: ["rm"])

        @OptionGroup var options: ImageStoreOptions
        @Argument(help: "Image names, digest references or IDs.")
        var images: [String]

        func run() async throws {
            let store = try options.openStore()
            for name in images {
                let removed = try await store.remove(name)
                if await store.image(for: removed.id.description) != nil {
                    print("Untagged: \(name)")
                } else {
                    print("Deleted: \(removed.id)")
                }
            }
        }
    }
}
