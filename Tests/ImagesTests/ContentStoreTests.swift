import Foundation
import Testing
@testable import Images

@Suite struct ContentStoreTests {
    @Test func blobIsStoredUnderItsDigestAfterVerification() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ContentStore(root: directory.path)
        let data = Data("hello blob".utf8)
        let digest = try store.write(data, expected: Digest(of: data), expectedSize: Int64(data.count), source: "test")
        #expect(store.contains(digest))
        #expect(try store.data(for: digest) == data)
        #expect(store.path(for: digest).hasSuffix("/blobs/sha256/\(digest.hex)"))
    }

    @Test func corruptedBlobIsRejectedByDigestAndLeavesNothingBehind() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ContentStore(root: directory.path)
        let good = Data("the real layer".utf8)
        let corrupted = Data("the real layeR".utf8)
        let expected = Digest(of: good)
        #expect(throws: ImageError.digestMismatch(expected: expected, actual: Digest(of: corrupted), source: "download")) {
            try store.write(corrupted, expected: expected, expectedSize: Int64(good.count), source: "download")
        }
        #expect(!store.contains(expected))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/blobs/sha256").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/ingest").isEmpty)
    }

    @Test func blobLongerThanItsDescriptorIsCutOffEarlyAndRemoved() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ContentStore(root: directory.path)
        let data = Data(repeating: 7, count: 100)
        let writer = try BlobWriter(store: store, expected: Digest(of: data), expectedSize: 10, source: "download")
        #expect(throws: ImageError.self) { try writer.write(data) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/ingest").isEmpty)
    }

    @Test func importedFileWithWrongDigestIsRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ContentStore(root: directory.path + "/store")
        let file = directory.path + "/blob"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: file))
        let wrong = Digest(of: Data("abd".utf8))
        #expect(throws: ImageError.digestMismatch(expected: wrong, actual: Digest(of: Data("abc".utf8)), source: "layout")) {
            try store.importFile(at: file, expected: wrong, source: "layout")
        }
        #expect(try store.allDigests().isEmpty)
    }
}
