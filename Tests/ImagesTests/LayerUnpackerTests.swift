import CLinuxFS
import Foundation
import TestSupport
import Testing
@testable import Images

/// Unpacks `tar` (compressed as asked) into `root` and returns the summary.
@discardableResult
func unpackLayer(_ tar: Data, into root: String, mode: LayerUnpacker.WhiteoutMode, compression: LayerCompression = .gzip) throws
    -> LayerUnpacker.Summary
{
    let blob = root + ".blob-\(UUID().uuidString)"
    let bytes = switch compression {
    case .gzip: Compression.gzip(tar)
    case .zstd: Compression.zstd(tar)
    case .uncompressed: tar
    }
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    try bytes.write(to: URL(fileURLWithPath: blob))
    defer { try? FileManager.default.removeItem(atPath: blob) }
    return try LayerUnpacker.unpack(blobAt: blob, into: root, mode: mode, layerName: "test layer")
}

func fileInfo(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
}

func readXattr(_ path: String, _ name: String) -> String? {
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = lgetxattr(path, name, &buffer, buffer.count)
    return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
}

/// A hostile layer and what must not appear outside the root.
struct HostileLayer: Sendable, CustomTestStringConvertible {
    let name: String
    let build: @Sendable (inout TarBuilder) -> Void
    var testDescription: String { name }

    static let all: [HostileLayer] = [
        HostileLayer(name: "dot-dot path ../x") { $0.file("../x", "escaped") },
        HostileLayer(name: "dot-dot inside a path a/../../x") { $0.file("a/../../x", "escaped") },
        HostileLayer(name: "absolute path /x") { $0.file("/x", "escaped") },
        HostileLayer(name: "symlink to an absolute directory, then a file through it") {
            $0.symlink("evil", to: "/")
            $0.file("evil/x", "escaped")
        },
        HostileLayer(name: "symlink climbing out, then a file through it") {
            $0.symlink("up", to: "../..")
            $0.file("up/x", "escaped")
        },
        HostileLayer(name: "nested symlink chain climbing out") {
            $0.directory("d")
            $0.symlink("d/l1", to: "../l2")
            $0.symlink("l2", to: "..")
            $0.file("d/l1/x", "escaped")
        },
        HostileLayer(name: "hard link to a path outside with ..") { $0.hardLink("h", to: "../x") },
        HostileLayer(name: "hard link to an absolute path") { $0.hardLink("h", to: "/etc/hostname") },
        HostileLayer(name: "hard link through an absolute symlink") {
            $0.symlink("etc", to: "/etc")
            $0.hardLink("h", to: "etc/hostname")
        },
    ]
}

@Suite struct LayerUnpackerTests {
    @Test(arguments: HostileLayer.all)
    func hostileEntryIsRefusedAndNothingIsWrittenOutsideTheRoot(_ hostile: HostileLayer) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.path + "/a/b/root"
        var tar = TarBuilder()
        hostile.build(&tar)
        let error = #expect(throws: ImageError.self) { try unpackLayer(tar.archive, into: root, mode: .apply) }
        guard case .unsafeLayerEntry(_, _, let layer) = error else {
            Issue.record("expected unsafeLayerEntry, got \(String(describing: error))")
            return
        }
        #expect(layer == "test layer")
        for outside in ["/a/b/x", "/a/x", "/x", "/a/b/root/../x"] {
            #expect(fileInfo(directory.path + outside) == nil, "\(outside) was written")
        }
        #expect(fileInfo("/x") == nil)
    }

    @Test func relativeSymlinkInsideTheRootIsFollowedWithinIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var tar = TarBuilder()
        tar.directory("usr/lib")
        tar.symlink("lib", to: "usr/lib")
        tar.file("lib/libx.so", "x")
        try unpackLayer(tar.archive, into: directory.path, mode: .apply)
        #expect(FileManager.default.contents(atPath: directory.path + "/usr/lib/libx.so") == Data("x".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.path + "/lib") == "usr/lib")
    }

    @Test(.requires(.root))
    func modesOwnershipXattrsHardLinksAndSymlinksAreApplied() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var tar = TarBuilder()
        tar.directory("bin", mode: 0o755)
        tar.file("bin/tool", "#!/bin/sh\n", mode: 0o4755, uid: 1234, gid: 5678, xattrs: ["user.origin": "test"])
        tar.hardLink("bin/tool-link", to: "bin/tool")
        tar.symlink("bin/sh", to: "tool")
        tar.directory("tmp", mode: 0o1777)
        tar.entry("dev/null-like", kind: .characterDevice, mode: 0o666)
        tar.entry("run/fifo", kind: .fifo, mode: 0o600)
        let longPath = "deep/" + String(repeating: "d", count: 120) + "/file"
        tar.file(longPath, "long")
        let summary = try unpackLayer(tar.archive, into: directory.path, mode: .apply)
        #expect(summary.diffID == Digest(of: tar.archive))

        let tool = try #require(fileInfo(directory.path + "/bin/tool"))
        #expect(tool.st_mode & 0o7777 == 0o4755)
        #expect(tool.st_uid == 1234 && tool.st_gid == 5678)
        #expect(tool.st_mtim.tv_sec == 1_700_000_000)
        #expect(readXattr(directory.path + "/bin/tool", "user.origin") == "test")
        let link = try #require(fileInfo(directory.path + "/bin/tool-link"))
        #expect(link.st_ino == tool.st_ino)
        #expect(tool.st_nlink == 2)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.path + "/bin/sh") == "tool")
        #expect(try #require(fileInfo(directory.path + "/tmp")).st_mode & 0o7777 == 0o1777)
        #expect(try #require(fileInfo(directory.path + "/dev/null-like")).st_mode & S_IFMT == S_IFCHR)
        #expect(try #require(fileInfo(directory.path + "/run/fifo")).st_mode & S_IFMT == S_IFIFO)
        #expect(FileManager.default.contents(atPath: directory.path + "/" + longPath) == Data("long".utf8))
    }

    @Test func whiteoutsAndOpaqueDirectoriesAreAppliedOnTopOfLowerLayers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var lower = TarBuilder()
        lower.file("a/keep", "1")
        lower.file("a/gone", "2")
        lower.file("b/old1", "3")
        lower.file("b/sub/old2", "4")
        try unpackLayer(lower.archive, into: directory.path, mode: .apply)
        var upper = TarBuilder()
        upper.file("b/new", "5")  // before the opaque marker: must survive it
        upper.whiteout("a/gone")
        upper.opaque("b")
        upper.file("b/newer", "6")
        try unpackLayer(upper.archive, into: directory.path, mode: .apply)

        #expect(fileInfo(directory.path + "/a/keep") != nil)
        #expect(fileInfo(directory.path + "/a/gone") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/b").sorted() == ["new", "newer"])
        #expect(fileInfo(directory.path + "/a/.wh.gone") == nil)
    }

    @Test(.requires(.root))
    func whiteoutsBecomeOverlayDevicesAndOpaqueAttributesInOverlayMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var upper = TarBuilder()
        upper.whiteout("a/gone")
        upper.opaque("b")
        upper.file("b/new", "5")
        try unpackLayer(upper.archive, into: directory.path, mode: .overlay)
        let whiteout = try #require(fileInfo(directory.path + "/a/gone"))
        #expect(whiteout.st_mode & S_IFMT == S_IFCHR)
        #expect(whiteout.st_rdev == 0)
        #expect(readXattr(directory.path + "/b", "trusted.overlay.opaque") == "y")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/b") == ["new"])
    }

    @Test(arguments: [LayerCompression.gzip, .zstd, .uncompressed])
    func layerIsDecompressedAndItsDiffIDComputed(_ compression: LayerCompression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var tar = TarBuilder()
        tar.file("big", Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        let summary = try unpackLayer(tar.archive, into: directory.path, mode: .apply, compression: compression)
        #expect(summary.diffID == Digest(of: tar.archive))
        #expect(summary.contentBytes == 300_000)
        #expect(FileManager.default.contents(atPath: directory.path + "/big")?.count == 300_000)
    }

    @Test func tarHeaderWithBadChecksumIsRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var tar = TarBuilder()
        tar.file("f", "x")
        var bytes = tar.archive
        bytes[0] = UInt8(ascii: "g")  // change the name, not the checksum
        #expect(throws: ImageError.self) { try unpackLayer(bytes, into: directory.path, mode: .apply) }
    }

    @Test func truncatedGzipLayerIsRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var tar = TarBuilder()
        tar.file("f", Data(repeating: 1, count: 100_000))
        let gz = Compression.gzip(tar.archive)
        let blob = directory.path + "/blob"
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: blob))
        try FileManager.default.createDirectory(atPath: directory.path + "/root", withIntermediateDirectories: true)
        #expect(throws: ImageError.self) {
            try LayerUnpacker.unpack(blobAt: blob, into: directory.path + "/root", mode: .apply, layerName: "cut")
        }
    }
}
