import Foundation
import KubeAPI
import Testing

@testable import Kubelet

@Suite("Manifest directory and URL sources")
struct ManifestDirectorySourceTests {
    static func podYAML(_ name: String, image: String = "busybox:1.36") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
        spec:
          containers:
          - name: app
            image: \(image)
        """
    }

    /// The rescan period is an hour, so every change seen here came through inotify.
    @Test func fileAddedChangedAndRemovedReachTheSourceThroughInotify() async throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let source = ManifestDirectorySource(path: directory, nodeName: "node1", checkFrequency: .seconds(3600))
        let collector = SnapshotCollector()
        let task = Task { try await source.run { await collector.add($0) } }
        defer { task.cancel() }

        let first = try await within(30, "the first snapshot") { await collector.waitFor { _ in true } }
        #expect(first.pods.isEmpty)

        try writeFile(directory + "/web.yaml", Self.podYAML("web"))
        let added = try await within(30, "the added pod") { await collector.waitFor { $0.pods.count == 1 } }
        let uid = added.pods[0].metadata?.uid
        #expect(added.pods[0].metadata?.name == "web-node1")

        try writeFile(directory + "/web.yaml", Self.podYAML("web", image: "busybox:1.37"))
        let changed = try await within(30, "the changed pod") {
            await collector.waitFor { $0.pods.first?.spec?.containers.first?.image == "busybox:1.37" }
        }
        #expect(changed.pods[0].metadata?.uid != uid)

        try FileManager.default.removeItem(atPath: directory + "/web.yaml")
        _ = try await within(30, "the pod's removal") { await collector.waitFor { $0.pods.isEmpty } }
    }

    @Test func hiddenFilesAndSubdirectoriesAreIgnored() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        try writeFile(directory + "/.web.yaml.swp", Self.podYAML("hidden"))
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        try writeFile(directory + "/sub/pod.yaml", Self.podYAML("nested"))
        try writeFile(directory + "/web.yaml", Self.podYAML("web"))
        var scanner = ManifestDirectoryScanner(path: directory, reader: ManifestReader(nodeName: "node1"))
        #expect(scanner.scan().pods.map { $0.metadata?.name } == ["web-node1"])
    }

    @Test func fileThatBreaksKeepsItsLastGoodPodsAndReportsTheProblem() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        try writeFile(directory + "/web.yaml", Self.podYAML("web"))
        try writeFile(directory + "/db.yaml", Self.podYAML("db"))
        var scanner = ManifestDirectoryScanner(path: directory, reader: ManifestReader(nodeName: "node1"))
        let good = scanner.scan()
        #expect(good.pods.count == 2)
        try writeFile(directory + "/web.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
        let broken = scanner.scan()
        #expect(Set(broken.pods.map { $0.metadata?.uid ?? "" }) == Set(good.pods.map { $0.metadata?.uid ?? "" }))
        #expect(broken.issues.count == 1)
        #expect(broken.issues.first?.location == directory + "/web.yaml")
    }

    @Test func singleManifestFileAsStaticPodPathIsRead() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        try writeFile(directory + "/only.yaml", Self.podYAML("only"))
        var scanner = ManifestDirectoryScanner(path: directory + "/only.yaml", reader: ManifestReader(nodeName: "node1"))
        #expect(scanner.scan().pods.map { $0.metadata?.name } == ["only-node1"])
    }

    @Test func urlSourceDeliversThePodsOfTheBodyWithURLDerivedUIDs() async throws {
        let body = Array(Self.podYAML("remote").utf8)
        let source = ManifestURLSource(
            url: "http://manifests.example/pods", headers: ["Authorization": ["Bearer x"]], nodeName: "node1",
            checkFrequency: .seconds(3600), fetch: { url, headers in
                #expect(url == "http://manifests.example/pods")
                #expect(headers["Authorization"] == ["Bearer x"])
                return body
            })
        let collector = SnapshotCollector()
        let task = Task { try await source.run { await collector.add($0) } }
        defer { task.cancel() }
        let snapshot = try await within(30, "the URL snapshot") { await collector.waitFor { !$0.pods.isEmpty } }
        let remote = try #require(snapshot.pods.first)
        #expect(snapshot.source == "http")
        #expect(remote.metadata?.name == "remote-node1")
        #expect(remote.metadata?.annotations?[StaticPodDefaults.configSourceAnnotation] == "http")
        let expected = StaticPodDefaults.uid(of: try pod(Self.podYAML("remote")), source: "http://manifests.example/pods", isFile: false, nodeName: "node1")
        #expect(remote.metadata?.uid == expected)
    }

    @Test func urlSourceThatCannotFetchDeliversAnEmptySnapshotWithTheError() async throws {
        struct Unreachable: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let source = ManifestURLSource(url: "http://down.example/", nodeName: "node1", checkFrequency: .seconds(3600), fetch: { _, _ in throw Unreachable() })
        let collector = SnapshotCollector()
        let task = Task { try await source.run { await collector.add($0) } }
        defer { task.cancel() }
        let snapshot = try await within(30, "the URL snapshot") { await collector.waitFor { _ in true } }
        #expect(snapshot.pods.isEmpty)
        #expect(snapshot.issues.first?.message.contains("connection refused") == true)
    }
}

@Suite("Manifest directory that appears later")
struct ManifestDirectoryAppearsLaterTests {
    @Test func directoryCreatedAfterTheSourceStartedIsScannedAndThenWatched() async throws {
        let parent = try makeTemporaryDirectory()
        defer { removeDirectory(parent) }
        let directory = parent + "/manifests"
        let source = ManifestDirectorySource(path: directory, nodeName: "node1", checkFrequency: .milliseconds(100))
        let collector = SnapshotCollector()
        let task = Task { try await source.run { await collector.add($0) } }
        defer { task.cancel() }
        _ = try await within(30, "the empty first snapshot") { await collector.waitFor { $0.pods.isEmpty } }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeFile(directory + "/web.yaml", ManifestDirectorySourceTests.podYAML("web"))
        _ = try await within(30, "the pod of the new directory") { await collector.waitFor { $0.pods.count == 1 } }
        try writeFile(directory + "/db.yaml", ManifestDirectorySourceTests.podYAML("db"))
        _ = try await within(30, "the second pod") { await collector.waitFor { $0.pods.count == 2 } }
    }
}
