import Foundation
import TestSupport
import Testing
@testable import Images

/// The catalog keeps container snapshots in their own unsynced file, beside the synced index.
@Suite struct ImageCatalogTests {
    static let image = try! Digest(parsing: "sha256:" + String(repeating: "ab", count: 32))

    static func inode(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }

    @Test func recordingASnapshotLeavesTheIndexAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let catalog = try ImageCatalog(path: directory.path + "/index.json")
        try await catalog.recordLayer(diffID: Self.image, bytes: 1)
        let before = try Self.inode(directory.path + "/index.json")
        try await catalog.recordSnapshot(container: "c1", image: Self.image, at: Date())
        #expect(try Self.inode(directory.path + "/index.json") == before)
        #expect(await catalog.snapshots == ["c1": Self.image])
        // Another process (a new catalog on the same files) sees it, and its removal.
        let other = try ImageCatalog(path: directory.path + "/index.json")
        #expect(await other.snapshots == ["c1": Self.image])
        try await other.forgetSnapshot(container: "c1")
        #expect(await catalog.snapshots.isEmpty)
    }

    @Test func snapshotsKeptInTheIndexByAnOlderCatalogMoveToTheSnapshotFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var legacy = ImageCatalog.Contents()
        legacy.snapshots = ["old": Self.image]
        try JSONDocument.encode(legacy).write(to: URL(fileURLWithPath: directory.path + "/index.json"))
        let catalog = try ImageCatalog(path: directory.path + "/index.json")
        #expect(await catalog.snapshots == ["old": Self.image])
        let index: ImageCatalog.Contents = try JSONDocument.decode(
            Data(contentsOf: URL(fileURLWithPath: directory.path + "/index.json")), source: "index.json")
        #expect(index.snapshots.isEmpty)
    }

    @Test func aTornSnapshotFileReadsAsEmpty() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(FileManager.default.createFile(atPath: directory.path + "/snapshots.json", contents: Data()))
        let catalog = try ImageCatalog(path: directory.path + "/index.json")
        #expect(await catalog.snapshots.isEmpty)
        try await catalog.recordSnapshot(container: "c2", image: Self.image, at: Date())
        #expect(await catalog.snapshots == ["c2": Self.image])
    }
}
