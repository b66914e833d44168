import Foundation
import TestSupport
import Testing
@testable import Images

/// A two-layer image: the upper layer overrides a file, whites one out and makes a directory opaque.
func twoLayerLayout(in directory: String) throws -> OCILayoutBuilder {
    var lower = TarBuilder()
    lower.directory("etc")
    lower.file("etc/hostname", "lower\n")
    lower.file("a/keep", "kept\n")
    lower.file("a/gone", "whited out\n")
    lower.file("b/old", "hidden by opaque\n")
    lower.file("shared/data", "same in both images\n")
    var upper = TarBuilder()
    upper.file("etc/hostname", "upper\n")
    upper.whiteout("a/gone")
    upper.opaque("b")
    upper.file("b/new", "new\n")
    var layout = try OCILayoutBuilder(directory: directory)
    try layout.addImage(
        layers: [lower.archive, upper.archive], tag: "v1",
        defaults: ContainerDefaults(env: ["PATH=/bin"], entrypoint: ["/bin/true"], workingDir: "/"))
    return layout
}

@Suite struct ImageStoreTests {
    @Test(.requires(.root))
    func importedLayoutIsListedInspectedAndLookedUpByNameAndID() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try twoLayerLayout(in: directory.path + "/layout")
        let store = try ImageStore(root: directory.path + "/store")
        let imported = try await store.importLayout(at: directory.path + "/layout", repository: "example.test/two")
        let image = try #require(imported.first)
        #expect(image.names == ["example.test/two:v1"])
        #expect(image.layers.count == 2)
        #expect(image.defaults.entrypoint == ["/bin/true"])
        #expect(await store.image(for: "example.test/two:v1")?.id == image.id)
        #expect(await store.image(for: image.id.description)?.id == image.id)
        #expect(await store.image(for: image.id.short)?.id == image.id)
        #expect(await store.list().map(\.id) == [image.id])
        // The index survives reopening the store.
        let reopened = try ImageStore(root: directory.path + "/store")
        #expect(await reopened.image(for: "example.test/two:v1") == image)
    }

    @Test(.requires(.root))
    func sharedLayerIsUnpackedOnceAndRemovalFreesOnlyWhatIsUnshared() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var base = TarBuilder()
        base.file("shared", String(repeating: "s", count: 10_000))
        var extraA = TarBuilder()
        extraA.file("a", String(repeating: "a", count: 3_000))
        var extraB = TarBuilder()
        extraB.file("b", String(repeating: "b", count: 5_000))
        var layout = try OCILayoutBuilder(directory: directory.path + "/layout")
        try layout.addImage(layers: [base.archive, extraA.archive], tag: "a")
        try layout.addImage(layers: [base.archive, extraB.archive], tag: "b")
        let store = try ImageStore(root: directory.path + "/store")
        let images = try await store.importLayout(at: directory.path + "/layout", repository: "example.test/app")
        #expect(images.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/store/layers").count == 3)

        let usage = await store.usage()
        let a = try #require(usage.first { $0.names == ["example.test/app:a"] })
        #expect(a.totalBytes > a.exclusiveBytes)
        #expect(a.exclusiveBytes >= 3_000)

        let mount = try await store.prepareRootfs(images[0], containerID: "c-a")
        await #expect(throws: ImageError.imageInUse("example.test/app:a", containers: ["c-a"])) {
            try await store.remove("example.test/app:a")
        }
        #expect(mount.lowerDirectories.count == 2)
        try await store.releaseRootfs(containerID: "c-a")
        try await store.remove("example.test/app:a")
        #expect(await store.image(for: "example.test/app:a") == nil)
        let layersLeft = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/store/layers").sorted()
        #expect(layersLeft == images[1].layers.map(\.diffID.hex).sorted())
        #expect(!store.content.contains(images[0].layers[1].blob.digest))
        #expect(store.content.contains(images[1].layers[0].blob.digest))
    }

    @Test(.requires(.root))
    func twoLayerImageMountsAsOverlayWithWhiteoutsAndOpaqueDirectories() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try twoLayerLayout(in: directory.path + "/layout")
        let store = try ImageStore(root: directory.path + "/store")
        let image = try #require(try await store.importLayout(at: directory.path + "/layout", repository: "example.test/two").first)
        let rootfs = try await store.prepareRootfs(image, containerID: "c1")
        let target = directory.path + "/merged"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)

        struct View: Sendable {
            var hostname: String?
            var aEntries: [String]
            var bEntries: [String]
            var mountedInside: Bool
        }
        let view = try MountNamespace.run {
            try rootfs.mount(at: target)
            defer { try? RootfsMount.unmount(target) }
            let fm = FileManager.default
            let seen = View(
                hostname: fm.contents(atPath: target + "/etc/hostname").map { String(decoding: $0, as: UTF8.self) },
                aEntries: try fm.contentsOfDirectory(atPath: target + "/a").sorted(),
                bEntries: try fm.contentsOfDirectory(atPath: target + "/b").sorted(),
                mountedInside: MountNamespace.isMounted(target))
            try Data("from the container\n".utf8).write(to: URL(fileURLWithPath: target + "/written"))
            return seen
        }
        #expect(view.mountedInside)
        #expect(view.hostname == "upper\n")
        #expect(view.aEntries == ["keep"])
        #expect(view.bEntries == ["new"])
        #expect(!MountNamespace.isMounted(target), "the overlay leaked into the host's mount namespace")
        #expect(FileManager.default.contents(atPath: rootfs.upperDirectory + "/written") == Data("from the container\n".utf8))
        try await store.releaseRootfs(containerID: "c1")
        #expect(!FileManager.default.fileExists(atPath: rootfs.upperDirectory))
    }

    @Test(.requires(.root))
    func dockerSaveArchiveIsImportedWithItsRepoTags() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var layer = TarBuilder()
        layer.file("hello.txt", "hi\n")
        let layerTar = layer.archive
        let configuration = ImageConfiguration(
            platform: .current, config: ContainerDefaults(cmd: ["/hello"]), diffIDs: [Digest(of: layerTar)])
        let configData = JSONDocument.encode(configuration)
        let configName = Digest(of: configData).hex + ".json"
        let manifest = #"[{"Config":"\#(configName)","RepoTags":["hello:saved"],"Layers":["abc/layer.tar"]}]"#
        var archive = TarBuilder()
        archive.file("manifest.json", manifest)
        archive.file(configName, configData)
        archive.directory("abc")
        archive.file("abc/layer.tar", layerTar)
        let archivePath = directory.path + "/saved.tar"
        try archive.archive.write(to: URL(fileURLWithPath: archivePath))

        let store = try ImageStore(root: directory.path + "/store")
        let image = try #require(try await store.importArchive(at: archivePath).first)
        #expect(image.names == ["docker.io/library/hello:saved"])
        #expect(image.defaults.cmd == ["/hello"])
        #expect(image.layers[0].blob.mediaType == MediaType.ociLayer)
        let unpacked = store.layers.directory(for: image.layers[0].diffID) + "/hello.txt"
        #expect(FileManager.default.contents(atPath: unpacked) == Data("hi\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/store/ingest").isEmpty)
    }

    @Test(.requires(.root))
    func ociArchiveWithTamperedLayerIsRejectedAndNothingIsRecorded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let layout = try twoLayerLayout(in: directory.path + "/layout")
        // Tamper with the top layer's blob after the manifest was written.
        let manifest = try ImageManifest.decode(
            try Data(contentsOf: URL(fileURLWithPath: "\(layout.directory)/blobs/sha256/\(layout.manifests[0].digest.hex)")), source: "t")
        let layerPath = "\(layout.directory)/blobs/sha256/\(manifest.layers[1].digest.hex)"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: layerPath))
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: layerPath))

        let store = try ImageStore(root: directory.path + "/store")
        let error = await #expect(throws: ImageError.self) {
            try await store.importLayout(at: layout.directory, repository: "example.test/two")
        }
        guard case .digestMismatch(let expected, _, _) = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))")
            return
        }
        #expect(expected == manifest.layers[1].digest)
        #expect(!store.content.contains(manifest.layers[1].digest))
        #expect(await store.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/store/ingest").isEmpty)
    }

    @Test(.requires(.root))
    func twoStoresOnOneRootSeeEachOthersImagesAndLoseNoUpdate() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var one = TarBuilder()
        one.file("one", "1")
        var two = TarBuilder()
        two.file("two", "2")
        var first = try OCILayoutBuilder(directory: directory.path + "/first")
        try first.addImage(layers: [one.archive], tag: "one")
        var second = try OCILayoutBuilder(directory: directory.path + "/second")
        try second.addImage(layers: [two.archive], tag: "two")
        // Like the agent and a `swiftlet images` command working on the same store.
        let agent = try ImageStore(root: directory.path + "/store")
        let command = try ImageStore(root: directory.path + "/store")
        _ = try await agent.importLayout(at: first.directory, repository: "example.test/app")
        #expect(await command.image(for: "example.test/app:one") != nil)
        _ = try await command.importLayout(at: second.directory, repository: "example.test/app")
        #expect(await agent.list().flatMap(\.names) == ["example.test/app:one", "example.test/app:two"])
    }

    @Test func recoveryRemovesOnlyStaleLeftovers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ImageStore(root: directory.path + "/store")
        let stale = store.root + "/ingest/stale", fresh = store.root + "/ingest/fresh"
        let staleUnpack = store.root + "/layers/.unpack-stale"
        for path in [stale, fresh] { #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8))) }
        try FileManager.default.createDirectory(atPath: staleUnpack + "/fs", withIntermediateDirectories: true)
        let old = Date().addingTimeInterval(-7200)
        for path in [stale, staleUnpack] { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path) }
        try await store.recover()
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(!FileManager.default.fileExists(atPath: staleUnpack))
        #expect(FileManager.default.fileExists(atPath: fresh))
    }

    @Test func garbageCollectionKeepsBlobsPinnedByWorkInProgress() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ImageStore(root: directory.path + "/store")
        let inFlight = try store.content.write(Data("being pulled".utf8), source: "test")
        let orphan = try store.content.write(Data("nobody's".utf8), source: "test")
        await store.catalog.pin([inFlight])
        #expect(try await store.collectGarbage() == Int64("nobody's".utf8.count))
        #expect(store.content.contains(inFlight))
        #expect(!store.content.contains(orphan))
        await store.catalog.unpin([inFlight])
        try await store.collectGarbage()
        #expect(!store.content.contains(inFlight))
    }
}
