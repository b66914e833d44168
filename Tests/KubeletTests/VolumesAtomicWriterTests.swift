import Foundation
import Synchronization
import Kubelet
import Testing

@Suite struct VolumesAtomicWriterTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "swiftlet-aw-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func firstWriteCreatesTimestampedDirectoryDataLinkAndVisibleLinks() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = AtomicWriter(targetDirectory: directory)
        #expect(try writer.write(["a": .init("one"), "sub/b": .init("two", mode: 0o600)]))

        let entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        let stamped = try #require(entries.first { $0.hasPrefix("..2") })
        #expect(stamped.range(of: #"^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\w+$"#, options: .regularExpression) != nil)
        #expect(Set(entries) == [stamped, "..data", "a", "sub"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/..data") == stamped)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/a") == "..data/a")
        #expect(Self.read(directory + "/a") == "one")
        #expect(Self.read(directory + "/sub/b") == "two")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/sub/b")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func unchangedPayloadIsNotRewrittenAndChangedOneSwapsAndCleansUp() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = AtomicWriter(targetDirectory: directory)
        try writer.write(["a": .init("one"), "gone": .init("x")])
        let first = try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/..data")
        #expect(try writer.write(["a": .init("one"), "gone": .init("x")]) == false)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/..data") == first)

        #expect(try writer.write(["a": .init("uno")]))
        let second = try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/..data")
        #expect(second != first)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory)) == [second, "..data", "a"])
        #expect(Self.read(directory + "/a") == "uno")
    }

    @Test(arguments: ["/etc/passwd", "../escape", "a/../../b", "..hidden", "", "a//b"])
    func payloadPathThatCouldEscapeOrCollideIsRejected(_ path: String) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: VolumeError.self) { try AtomicWriter(targetDirectory: directory).write([path: .init("x")]) }
    }

    /// A reader that keeps reading a large file through its visible link while the writer
    /// replaces it sees one whole generation each time: the old content or the new, never a part.
    @Test func concurrentReaderSeesOldOrNewFileNeverAPartialOne() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = AtomicWriter(targetDirectory: directory)
        let size = 200_000
        func content(_ generation: Int) -> String { String(repeating: String(generation % 10), count: size) }
        try writer.write(["x": .init(content(0))])
        let generations = 100

        // The reader runs on a thread of its own, so that a busy task pool cannot keep it from
        // reading while the writer works; the writer starts once the reader has read once.
        let counts = Mutex<(torn: Int, reads: Int, stop: Bool)>((0, 0, false))
        let reader = Thread {
            while !counts.withLock({ $0.stop }) {
                guard let text = Self.read(directory + "/x") else { continue }
                let torn = text.utf8.count != size || Set(text.utf8).count != 1
                counts.withLock { state in
                    state.reads += 1
                    if torn { state.torn += 1 }
                }
            }
        }
        reader.start()
        while counts.withLock({ $0.reads }) == 0 { usleep(1000) }
        for generation in 1...generations {
            try writer.write(["x": .init(content(generation))])
        }
        counts.withLock { $0.stop = true }
        let result = counts.withLock { (torn: $0.torn, reads: $0.reads) }
        #expect(result.torn == 0)
        #expect(result.reads > 0)
        #expect(Self.read(directory + "/x") == content(generations))
        let stamped = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("..2") }
        #expect(stamped.count == 1, "old generations are removed")
    }
}
