// Images: swiftlet's OCI image store. It owns content-addressed blobs, the registry client (OCI
// distribution API, Docker schema 2), import of OCI layouts and `docker save` archives, layer
// unpacking, and the overlay snapshots containers run on. It knows nothing of pods, CRI or the
// runtime: the runtime asks it for an image and a root filesystem, and nothing else.
//
// State under the root directory (default `/var/lib/swiftlet/images`):
//   blobs/sha256/<hex>        verified blobs (manifests, configs, compressed layers)
//   ingest/                   blobs being written; never visible under blobs/ until verified
//   layers/<diffID hex>/fs    each layer unpacked once, overlay whiteouts in place
//   containers/<id>/{upper,work}  per-container overlay directories
//   index.json                images and layer sizes, written atomically and synced
//   snapshots.json            container snapshots and last use, written atomically, not synced

import Foundation
import Logging
import Synchronization

/// The image store: pull, import, look up, remove, and prepare container root filesystems.
public final class ImageStore: Sendable {
    /// The default root directory.
    public static let defaultRoot = "/var/lib/swiftlet/images"

    /// The root directory.
    public let root: String
    /// The blobs.
    public let content: ContentStore
    /// The registry client used by ``pull(_:progress:)``.
    public let registry: RegistryClient
    let catalog: ImageCatalog
    let layers: LayerStore
    let logger: Logger

    /// Opens (creating if needed) the store under `root`. Several processes may open the same store
    /// (the agent and a `swiftlet images` command); the index file is shared safely between them.
    public init(
        root: String = ImageStore.defaultRoot, registry: RegistryConfiguration = RegistryConfiguration(),
        logger: Logger = Logger(label: "swiftlet.images")
    ) throws {
        self.root = root
        self.logger = logger
        try Syscall.makeDirectories(root, mode: 0o700)
        try Syscall.makeDirectories(root + "/containers", mode: 0o700)
        content = try ContentStore(root: root)
        layers = try LayerStore(root: root + "/layers")
        catalog = try ImageCatalog(path: root + "/index.json")
        self.registry = RegistryClient(configuration: registry, logger: logger)
    }

    /// Removes what interrupted work left behind: partial blobs in `ingest/` and half-unpacked or
    /// half-removed layer directories, when older than `age` seconds (so that work another process
    /// is doing on the same store right now is left alone). The agent calls this at start-up.
    public func recover(olderThan age: TimeInterval = 3600) async throws {
        let cutoff = Date().addingTimeInterval(-age)
        try content.removeIngestLeftovers(modifiedBefore: cutoff)
        try await layers.removeLeftovers(modifiedBefore: cutoff)
    }

    // MARK: Looking up

    /// Every image, sorted by first name then ID.
    public func list() async -> [Image] {
        await catalog.images.sorted { ($0.names.first ?? "~" + $0.id.hex) < ($1.names.first ?? "~" + $1.id.hex) }
    }

    /// The image a reference, name or ID names, or `nil`.
    public func image(for referenceOrID: String) async -> Image? {
        await catalog.image(matching: referenceOrID)
    }

    /// The image for `referenceOrID`, throwing ``ImageError/imageNotFound(_:)``.
    public func requireImage(_ referenceOrID: String) async throws -> Image {
        guard let image = await image(for: referenceOrID) else { throw ImageError.imageNotFound(referenceOrID) }
        return image
    }

    // MARK: Pulling

    /// Pulls `reference` from its registry (or a mirror): resolves the tag, picks the configured
    /// platform from an index, downloads the config and missing layers in parallel (verifying every
    /// digest), unpacks each new layer once, and records the image. Returns the stored image.
    public func pull(_ reference: String, progress: @escaping @Sendable (PullProgress) -> Void = { _ in }) async throws -> Image {
        let reference = try ImageReference(parsing: reference)
        return try await withPins { pins in try await pull(reference, pins: pins, progress: progress) }
    }

    private func pull(_ reference: ImageReference, pins: Pins, progress: @escaping @Sendable (PullProgress) -> Void) async throws
        -> Image
    {
        let top = try await registry.fetchManifest(reference)
        await pins.add([top.digest])
        try content.write(top.data, expected: top.digest, source: "\(reference) manifest")
        var manifestFetch = top
        var indexDigest: Digest?
        if MediaType.isIndex(top.mediaType) {
            let source = "\(reference) index \(top.digest)"
            let index: ImageIndex = try JSONDocument.decode(top.data, source: source)
            let chosen = try index.manifest(for: registry.configuration.platform, source: source)
            manifestFetch = try await registry.fetchManifest(reference, digest: chosen.digest)
            await pins.add([manifestFetch.digest])
            guard MediaType.isManifest(manifestFetch.mediaType) else {
                throw ImageError.unsupportedMediaType(manifestFetch.mediaType, source: "\(reference) manifest \(chosen.digest)")
            }
            try content.write(manifestFetch.data, expected: manifestFetch.digest, source: "\(reference) manifest")
            indexDigest = top.digest
        }
        let manifestSource = "\(reference.pinned(to: manifestFetch.digest)) manifest"
        let manifest = try ImageManifest.decode(manifestFetch.data, source: manifestSource)
        await pins.add([manifest.config.digest] + manifest.layers.map(\.digest))
        try await registry.fetchBlob(manifest.config, of: reference, into: content)
        let configuration = try ImageConfiguration.decode(
            content.data(for: manifest.config.digest), source: "\(reference) config \(manifest.config.digest)")
        let imageLayers = try Self.layers(of: manifest, configuration: configuration, source: manifestSource)
        await pins.add(imageLayers.map(\.diffID))

        let cachedBytes = imageLayers.filter { layers.isUnpacked($0.diffID) || content.contains($0.blob.digest) }
            .reduce(Int64(0)) { $0 + $1.blob.size }
        progress(.resolved(reference: reference.description, manifest: manifestFetch.digest, layers: imageLayers.count,
                           totalBytes: imageLayers.reduce(0) { $0 + $1.blob.size }, cachedBytes: cachedBytes))

        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = imageLayers[...]
            func startNext() {
                guard let layer = pending.popFirst() else { return }
                group.addTask { try await self.fetchAndUnpack(layer, of: reference, progress: progress) }
            }
            for _ in 0..<registry.configuration.parallelDownloads { startNext() }
            while try await group.next() != nil { startNext() }
        }

        let now = Date.wholeSeconds()
        let pinned = reference.pinned(to: indexDigest ?? manifestFetch.digest).description
        let image = Image(
            id: manifest.config.digest, names: reference.tag.map { _ in [reference.description] } ?? [],
            repoDigests: [pinned], manifestDigest: manifestFetch.digest, indexDigest: indexDigest,
            configuration: configuration, layers: imageLayers, addedAt: now, lastUsed: now)
        let stored = try await catalog.add(image)
        progress(.done(image: stored.id))
        logger.info("pulled image", metadata: ["image": "\(reference)", "id": "\(stored.id)", "layers": "\(imageLayers.count)"])
        return stored
    }

    private func fetchAndUnpack(_ layer: ImageLayer, of reference: ImageReference, progress: @escaping @Sendable (PullProgress) -> Void)
        async throws
    {
        if layers.isUnpacked(layer.diffID) {
            progress(.layerReady(layer: layer.blob.digest))
            return
        }
        let total = layer.blob.size
        let received = Counter()
        try await registry.fetchBlob(layer.blob, of: reference, into: content) { bytes in
            progress(.downloading(layer: layer.blob.digest, completed: received.add(bytes), total: total))
        }
        progress(.unpacking(layer: layer.blob.digest))
        try await unpack(layer, name: "\(reference.name) layer \(layer.blob.digest)")
        progress(.layerReady(layer: layer.blob.digest))
    }

    func unpack(_ layer: ImageLayer, name: String) async throws {
        let path = content.path(for: layer.blob.digest)
        if let bytes = try await layers.ensureUnpacked(diffID: layer.diffID, blobPath: path, layerName: name) {
            try await catalog.recordLayer(diffID: layer.diffID, bytes: bytes)
        }
    }

    /// Pairs manifest layers with the configuration's diff IDs.
    static func layers(of manifest: ImageManifest, configuration: ImageConfiguration, source: String) throws(ImageError) -> [ImageLayer] {
        let diffIDs = configuration.rootfs.diffIDs
        guard diffIDs.count == manifest.layers.count else {
            throw .invalidDocument(
                source: source, field: "layers",
                expected: "as many layers as the config's rootfs.diff_ids (\(diffIDs.count)), found \(manifest.layers.count)")
        }
        let chain = ImageLayer.chainIDs(diffIDs)
        return manifest.layers.indices.map { ImageLayer(blob: manifest.layers[$0], diffID: diffIDs[$0], chainID: chain[$0]) }
    }

    // MARK: Root filesystems

    /// Creates the upper and work directories for `containerID` and returns the overlay mount
    /// for its root filesystem on `image`. Marks the image used now.
    public func prepareRootfs(_ image: Image, containerID: String) async throws -> RootfsMount {
        guard !containerID.isEmpty, !containerID.contains("/"), containerID != ".", containerID != ".." else {
            throw ImageError.invalidReference(containerID, reason: "a container ID must be a non-empty name without '/'")
        }
        for layer in image.layers where !layers.isUnpacked(layer.diffID) {
            // A layer removed behind our back (or an import interrupted) is unpacked again from its blob.
            try await unpack(layer, name: "\(image.names.first ?? image.id.description) layer \(layer.blob.digest)")
        }
        let directory = "\(root)/containers/\(containerID)"
        try Syscall.makeDirectories(directory + "/upper", mode: 0o755)
        try Syscall.makeDirectories(directory + "/work", mode: 0o700)
        try await catalog.recordSnapshot(container: containerID, image: image.id, at: Date.wholeSeconds())
        return RootfsMount(
            lowerDirectories: image.layers.reversed().map { layers.directory(for: $0.diffID) },
            upperDirectory: directory + "/upper", workDirectory: directory + "/work")
    }

    /// Deletes a container's upper and work directories. The caller unmounts the root filesystem first.
    public func releaseRootfs(containerID: String) async throws {
        guard !containerID.isEmpty, !containerID.contains("/"), containerID != ".", containerID != ".." else { return }
        try Syscall.removeTree("\(root)/containers/\(containerID)")
        try await catalog.forgetSnapshot(container: containerID)
    }

    // MARK: Removing and garbage collection

    /// Removes an image by name or ID. With a tagged name of an image that has other names only
    /// that name goes; otherwise the image goes, and blobs and layers no other image uses are deleted.
    /// Throws ``ImageError/imageInUse(_:containers:)`` if a container root filesystem uses it.
    @discardableResult
    public func remove(_ referenceOrID: String) async throws -> Image {
        let image = try await requireImage(referenceOrID)
        if let reference = try? ImageReference(parsing: referenceOrID), reference.digest == nil,
            image.names.contains(reference.description), image.names.count > 1
        {
            return try await catalog.untag(id: image.id, name: reference.description) ?? image
        }
        let users = await catalog.snapshots.filter { $0.value == image.id }.map(\.key).sorted()
        guard users.isEmpty else { throw ImageError.imageInUse(referenceOrID, containers: users) }
        _ = try await catalog.remove(id: image.id)
        try await collectGarbage()
        logger.info("removed image", metadata: ["image": "\(referenceOrID)", "id": "\(image.id)"])
        return image
    }

    /// Deletes blobs and unpacked layers that no image references and no pull or import running in
    /// this process is writing; returns the bytes freed.
    @discardableResult
    public func collectGarbage() async throws -> Int64 {
        let images = await catalog.images
        let pinned = await catalog.pinned
        var liveBlobs = pinned
        var liveLayers = pinned
        for image in images {
            liveBlobs.insert(image.id)
            liveBlobs.insert(image.manifestDigest)
            if let index = image.indexDigest { liveBlobs.insert(index) }
            for layer in image.layers {
                liveBlobs.insert(layer.blob.digest)
                liveLayers.insert(layer.diffID)
            }
        }
        var freed: Int64 = 0
        for digest in try content.allDigests() where !liveBlobs.contains(digest) {
            freed += content.size(of: digest) ?? 0
            try content.delete(digest)
        }
        let layerBytes = await catalog.layerBytes
        for diffID in try await layers.all() where !liveLayers.contains(diffID) {
            freed += layerBytes[diffID.hex] ?? 0
            try await layers.remove(diffID)
            try await catalog.forgetLayer(diffID: diffID)
        }
        return freed
    }

    /// Disk usage and last use of every image, for image garbage collection.
    public func usage() async -> [ImageUsage] {
        let images = await catalog.images
        let layerBytes = await catalog.layerBytes
        let snapshots = await catalog.snapshots
        var users: [Digest: Int] = [:]
        for image in images {
            for key in Self.storageKeys(of: image) { users[key.digest, default: 0] += 1 }
        }
        return images.map { image in
            var total: Int64 = 0, exclusive: Int64 = 0
            for key in Self.storageKeys(of: image) {
                let bytes = key.isLayer ? layerBytes[key.digest.hex] ?? 0 : (content.size(of: key.digest) ?? 0)
                total += bytes
                if users[key.digest] == 1 { exclusive += bytes }
            }
            return ImageUsage(
                id: image.id, names: image.names, totalBytes: total, exclusiveBytes: exclusive, lastUsed: image.lastUsed,
                containers: snapshots.filter { $0.value == image.id }.map(\.key).sorted())
        }
    }

    private static func storageKeys(of image: Image) -> [(digest: Digest, isLayer: Bool)] {
        var keys: [(Digest, Bool)] = [(image.id, false), (image.manifestDigest, false)]
        for layer in image.layers { keys += [(layer.blob.digest, false), (layer.diffID, true)] }
        var seen = Set<String>()
        return keys.filter { seen.insert("\($0.0)\($0.1)").inserted }
    }
}

/// The digests one pull or import has written but not yet recorded, kept from garbage collection.
final class Pins: Sendable {
    private let catalog: ImageCatalog
    private let digests = Mutex<[Digest]>([])

    init(catalog: ImageCatalog) { self.catalog = catalog }

    func add(_ new: [Digest]) async {
        digests.withLock { $0 += new }
        await catalog.pin(new)
    }

    func release() async { await catalog.unpin(digests.withLock { $0 }) }
}

extension ImageStore {
    /// Runs `body` with a pin set that is released however `body` ends.
    func withPins<T: Sendable>(_ body: (Pins) async throws -> T) async throws -> T {
        let pins = Pins(catalog: catalog)
        do {
            let result = try await body(pins)
            await pins.release()
            return result
        } catch {
            await pins.release()
            throw error
        }
    }
}

/// A byte counter shared by the chunks of one download.
final class Counter: Sendable {
    private let value = Mutex<Int64>(0)
    func add(_ bytes: Int64) -> Int64 { value.withLock { $0 += bytes; return $0 } }
}
