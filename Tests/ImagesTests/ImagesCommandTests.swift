import ArgumentParser
import Foundation
import TestSupport
import Testing
@testable import Images
@testable import ImagesCLI

@Suite struct ImagesCommandTests {
    @Test func progressBarShowsBytesAndLayers() {
        let line = PullProgressBar.render(reference: "busybox", done: 1_500_000, total: 3_000_000, ready: 1, layers: 2, width: 10)
        #expect(line == "busybox [=====>    ] 1.5 MB/3.0 MB 1/2 layers")
    }

    @Test func malformedMirrorOptionIsRejectedWithTheExpectedForm() throws {
        let options = try ImageStoreOptions.parse(["--mirror", "docker.io"])
        #expect(throws: ValidationError.self) { try options.registryConfiguration() }
        let good = try ImageStoreOptions.parse(["--mirror", "docker.io=http://127.0.0.1:1", "--plain-http", "r:5000", "--platform", "linux/arm64/v8"])
        let configuration = try good.registryConfiguration()
        #expect(configuration.mirrors == ["docker.io": ["http://127.0.0.1:1"]])
        #expect(configuration.plainHTTP == ["r:5000"])
        #expect(configuration.platform == Platform(os: "linux", architecture: "arm64", variant: "v8"))
    }

    @Test(.requires(.root))
    func importListInspectAndRemoveWorkThroughTheCommandLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try twoLayerLayout(in: directory.path + "/layout")
        let root = directory.path + "/store"
        for arguments in [
            ["import", "--root", root, "--repository", "example.test/cli", directory.path + "/layout"],
            ["list", "--root", root],
            ["inspect", "--root", root, "example.test/cli:v1"],
        ] {
            var command = try #require(try ImagesCommand.parseAsRoot(arguments) as? any AsyncParsableCommand)
            try await command.run()
        }
        #expect(try await ImageStore(root: root).image(for: "example.test/cli:v1") != nil)
        var remove = try #require(try ImagesCommand.parseAsRoot(["remove", "--root", root, "example.test/cli:v1"]) as? any AsyncParsableCommand)
        try await remove.run()
        #expect(try await ImageStore(root: root).list().isEmpty)
    }
}
