import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Images

/// The busybox image the pull tests push: Debian's static /bin/busybox with applet symlinks in
/// one layer, a small second layer on top, and container defaults in its config.
struct BusyboxImage {
    static let defaults = ContainerDefaults(
        user: "0:0", exposedPorts: ["8080/tcp": EmptyObject()], env: ["PATH=/bin"], entrypoint: ["/bin/sh", "-c"],
        cmd: ["echo hello"], workingDir: "/", labels: ["org.example.test": "busybox"], stopSignal: "SIGTERM")

    static func layers() throws -> [Data] {
        let busybox = try Data(contentsOf: URL(fileURLWithPath: "/bin/busybox"))
        var base = TarBuilder()
        base.directory("bin")
        base.file("bin/busybox", busybox, mode: 0o755)
        for applet in ["sh", "ls", "echo", "cat"] { base.symlink("bin/\(applet)", to: "busybox") }
        base.directory("etc")
        base.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
        var top = TarBuilder()
        top.file("etc/motd", "pulled from a real registry\n")
        top.hardLink("etc/motd.link", to: "etc/motd")
        return [base.archive, top.archive]
    }

    /// Writes the layout with tag `tag` (a plain manifest) and `multi` (an index over this
    /// platform and a foreign one).
    static func layout(at directory: String, tag: String) throws -> OCILayoutBuilder {
        var layout = try OCILayoutBuilder(directory: directory)
        let layers = try layers()
        try layout.addImage(layers: layers, tag: tag, defaults: defaults)
        let native = try layout.addImage(layers: layers, tag: nil, defaults: defaults, listed: false)
        let foreignPlatform = Platform.current.architecture == "s390x"
            ? Platform(os: "linux", architecture: "ppc64le") : Platform(os: "linux", architecture: "s390x")
        var foreignDefaults = defaults
        foreignDefaults.labels = ["org.example.test": "foreign"]
        let foreign = try layout.addImage(layers: [layers[1]], tag: nil, defaults: foreignDefaults, platform: foreignPlatform, listed: false)
        try layout.addIndex(of: [foreign, native], tag: "multi")
        return layout
    }
}

/// Collects progress events from a pull.
final class ProgressLog: Sendable {
    private let events = Mutex<[PullProgress]>([])
    var all: [PullProgress] { events.withLock { $0 } }
    func record(_ event: PullProgress) { events.withLock { $0.append(event) } }
}

@Suite(.serialized) struct RegistryPullTests {
    struct Fixture {
        let directory: TemporaryDirectory
        let registry: RegistryFixture

        init() async throws {
            directory = try TemporaryDirectory("registry")
            _ = try BusyboxImage.layout(at: directory.path + "/layout", tag: "1.35")
            registry = try await RegistryFixture(directory: directory.path + "/registry")
            try registry.push(layout: directory.path + "/layout", tag: "1.35", repository: "busybox")
            try registry.push(layout: directory.path + "/layout", tag: "multi", repository: "busybox")
        }

        func store(_ name: String, _ configuration: RegistryConfiguration? = nil) throws -> ImageStore {
            try ImageStore(
                root: directory.path + "/" + name,
                registry: configuration ?? RegistryConfiguration(plainHTTP: [registry.host], parallelDownloads: 2))
        }

        func close() {
            registry.stop()
            directory.remove()
        }
    }

    @Test(.requires(.root, .command("docker-registry"), .command("skopeo")))
    func pullByTagVerifiesUnpacksAndReportsProgressForEveryLayer() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let store = try fixture.store("store")
        let log = ProgressLog()
        let image = try await store.pull("\(fixture.registry.host)/busybox:1.35") { log.record($0) }

        #expect(image.names == ["\(fixture.registry.host)/busybox:1.35"])
        #expect(image.defaults == BusyboxImage.defaults)
        #expect(image.layers.count == 2)
        let base = store.layers.directory(for: image.layers[0].diffID)
        #expect(FileManager.default.contents(atPath: base + "/bin/busybox") == FileManager.default.contents(atPath: "/bin/busybox"))
        #expect(try #require(fileInfo(base + "/bin/busybox")).st_mode & 0o777 == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: base + "/bin/sh") == "busybox")
        let top = store.layers.directory(for: image.layers[1].diffID)
        #expect(try #require(fileInfo(top + "/etc/motd.link")).st_ino == (try #require(fileInfo(top + "/etc/motd"))).st_ino)

        let events = log.all
        guard case .resolved(_, _, let layerCount, let total, let cached) = try #require(events.first) else {
            Issue.record("the first event is not .resolved: \(events)")
            return
        }
        #expect(layerCount == 2 && cached == 0 && total == image.compressedSize)
        for layer in image.layers {
            let received = events.compactMap { event -> Int64? in
                if case .downloading(layer.blob.digest, let completed, _) = event { return completed }
                return nil
            }
            #expect(received.last == layer.blob.size, "progress for \(layer.blob.digest) ended at \(String(describing: received.last))")
            #expect(events.contains(.layerReady(layer: layer.blob.digest)))
        }
        #expect(events.last == .done(image: image.id))

        // A second pull finds every layer in place and downloads nothing.
        let again = ProgressLog()
        _ = try await store.pull("\(fixture.registry.host)/busybox:1.35") { again.record($0) }
        #expect(!again.all.contains { if case .downloading = $0 { true } else { false } })
    }

    @Test(.requires(.root, .command("docker-registry"), .command("skopeo")))
    func pullByDigestFindsTheSameImageAndRecordsTheRepoDigest() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let store = try fixture.store("store")
        let byTag = try await store.pull("\(fixture.registry.host)/busybox:1.35")
        let pinned = "\(fixture.registry.host)/busybox@\(byTag.manifestDigest)"
        let byDigest = try await store.pull(pinned)
        #expect(byDigest.id == byTag.id)
        #expect(byDigest.repoDigests.contains(pinned))
        #expect(await store.image(for: pinned)?.id == byTag.id)
    }

    @Test(.requires(.root, .command("docker-registry"), .command("skopeo")))
    func pullThroughAnIndexPicksTheConfiguredPlatform() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let native = try await fixture.store("native").pull("\(fixture.registry.host)/busybox:multi")
        #expect(native.configuration.platform.matches(.current))
        #expect(native.defaults.labels?["org.example.test"] == "busybox")
        #expect(native.indexDigest != nil)
        #expect(native.repoDigests == ["\(fixture.registry.host)/busybox@\(native.indexDigest!)"])

        let foreignPlatform = Platform.current.architecture == "s390x"
            ? Platform(os: "linux", architecture: "ppc64le") : Platform(os: "linux", architecture: "s390x")
        let foreign = try await fixture.store(
            "foreign", RegistryConfiguration(plainHTTP: [fixture.registry.host], platform: foreignPlatform)
        ).pull("\(fixture.registry.host)/busybox:multi")
        #expect(foreign.configuration.architecture == foreignPlatform.architecture)
        #expect(foreign.defaults.labels?["org.example.test"] == "foreign")
    }

    @Test(.requires(.root, .command("docker-registry"), .command("skopeo")))
    func pullThroughAMirrorNeverContactsTheRegistryNamedInTheReference() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        // `registry.invalid` cannot resolve: the pull can only succeed through the mirror.
        let store = try fixture.store(
            "store", RegistryConfiguration(mirrors: ["registry.invalid": ["http://\(fixture.registry.host)"]]))
        let image = try await store.pull("registry.invalid/busybox:1.35")
        #expect(image.names == ["registry.invalid/busybox:1.35"])
        #expect(image.layers.count == 2)
    }

    @Test(.requires(.root, .command("docker-registry"), .command("skopeo")))
    func corruptedBlobServedByTheRegistryIsRejectedAndLeavesNothingBehind() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let manifestStore = try fixture.store("probe")
        let good = try await manifestStore.pull("\(fixture.registry.host)/busybox:1.35")
        let victim = good.layers[1].blob.digest
        let path = fixture.registry.blobPath(victim.hex)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x55
        try bytes.write(to: URL(fileURLWithPath: path))

        let store = try fixture.store("store")
        let error = await #expect(throws: ImageError.self) {
            try await store.pull("\(fixture.registry.host)/busybox:1.35")
        }
        guard case .digestMismatch(let expected, _, _) = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))")
            return
        }
        #expect(expected == victim)
        #expect(!store.content.contains(victim))
        #expect(!store.layers.isUnpacked(good.layers[1].diffID))
        #expect(await store.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/layers").allSatisfy { !$0.hasPrefix(".") })
    }

    @Test(.requires(.command("docker-registry"), .command("skopeo")))
    func missingTagIsReportedWithTheRegistrysErrorCode() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let store = try fixture.store("store")
        let error = await #expect(throws: ImageError.self) { try await store.pull("\(fixture.registry.host)/busybox:nope") }
        guard case .registry(let url, let status, let message) = error else {
            Issue.record("expected a registry error, got \(String(describing: error))")
            return
        }
        #expect(status == 404)
        #expect(url.hasSuffix("/v2/busybox/manifests/nope"))
        #expect(message.contains("MANIFEST_UNKNOWN"))
    }
}
