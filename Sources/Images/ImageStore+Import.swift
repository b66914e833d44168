import Foundation

extension ImageStore {
    /// Imports every image of an OCI image layout directory (`oci-layout`, `index.json`,
    /// `blobs/sha256/…`). Manifests are named by their `org.opencontainers.image.ref.name`
    /// annotation: a full reference is used as it is, a bare tag is joined to `repository`.
    /// Every blob is verified against its digest on the way in.
    public func importLayout(at directory: String, repository: String? = nil) async throws -> [Image] {
        let indexPath = directory + "/index.json"
        guard let data = FileManager.default.contents(atPath: indexPath) else {
            throw ImageError.invalidArchive(source: directory, reason: "no index.json: not an OCI image layout")
        }
        let index: ImageIndex = try JSONDocument.decode(data, source: indexPath)
        var imported: [Image] = []
        for (position, descriptor) in index.manifests.enumerated() {
            let source = "\(indexPath): manifests[\(position)]"
            let refName = descriptor.annotations?[Descriptor.refNameAnnotation]
                ?? descriptor.annotations?["io.containerd.image.name"]
            let name = try Self.importName(refName: refName, repository: repository, source: source)
            imported.append(try await withPins { pins in
                try await importManifest(descriptor, blobsIn: directory, name: name, source: source, pins: pins)
            })
        }
        return imported
    }

    /// Imports a tar archive (optionally gzip or zstd compressed) holding an OCI image layout or a
    /// `docker save` image (`manifest.json` with `Config`, `RepoTags`, `Layers`).
    public func importArchive(at path: String, repository: String? = nil) async throws -> [Image] {
        let scratch = "\(root)/ingest/archive-\(UInt64.random(in: 0...UInt64.max))"
        try Syscall.makeDirectories(scratch)
        defer { try? Syscall.removeTree(scratch) }
        try await Syscall.offload {
            let file = try FileSource(path: path)
            let stream = try LayerCompression.autodetect(file, name: path)
            var unpacker = LayerUnpacker(root: scratch, mode: .apply, layerName: path)
            try unpacker.unpack(TarReader(stream, name: path))
        }
        if FileManager.default.fileExists(atPath: scratch + "/manifest.json") {
            return try await importDockerSave(at: scratch, source: path)
        }
        return try await importLayout(at: scratch, repository: repository)
    }

    /// Imports an unpacked `docker save` directory.
    func importDockerSave(at directory: String, source: String) async throws -> [Image] {
        struct Entry: Decodable {
            var config: String
            var repoTags: [String]?
            var layers: [String]
            enum CodingKeys: String, CodingKey {
                case config = "Config"
                case repoTags = "RepoTags"
                case layers = "Layers"
            }
        }
        let manifestPath = "\(source): manifest.json"
        guard let data = FileManager.default.contents(atPath: directory + "/manifest.json") else {
            throw ImageError.invalidArchive(source: source, reason: "no manifest.json")
        }
        let entries: [Entry] = try JSONDocument.decode(data, source: manifestPath)
        var imported: [Image] = []
        for (position, entry) in entries.enumerated() {
            let configPath = try Self.insidePath(entry.config, of: directory, source: "\(manifestPath)[\(position)].Config")
            let configDigest = try content.importFile(at: configPath, expected: nil, source: "\(source): \(entry.config)")
            let configData = try content.data(for: configDigest)
            let configuration = try ImageConfiguration.decode(configData, source: "\(source): \(entry.config)")
            var layerDescriptors: [Descriptor] = []
            for (layerIndex, layerPath) in entry.layers.enumerated() {
                let field = "\(manifestPath)[\(position)].Layers[\(layerIndex)]"
                let path = try Self.insidePath(layerPath, of: directory, source: field)
                let digest = try content.importFile(at: path, expected: nil, source: "\(source): \(layerPath)")
                let prefix = try FileSource(path: content.path(for: digest)).readBytes(4)
                let mediaType = switch LayerCompression.sniff(prefix) {
                case .uncompressed: MediaType.ociLayer
                case .gzip: MediaType.ociLayerGzip
                case .zstd: MediaType.ociLayerZstd
                }
                layerDescriptors.append(Descriptor(mediaType: mediaType, digest: digest, size: content.size(of: digest) ?? 0))
            }
            let manifest = ImageManifest(
                config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configData.count)),
                layers: layerDescriptors)
            let manifestData = JSONDocument.encode(manifest)
            let manifestDigest = try content.write(manifestData, source: "\(source): manifest for \(entry.config)")
            let names = try (entry.repoTags ?? []).map { (tag) throws(ImageError) in try ImageReference(parsing: tag).description }
            let imageLayers = try Self.layers(of: manifest, configuration: configuration, source: manifestPath)
            imported.append(try await record(
                manifestDigest: manifestDigest, indexDigest: nil, manifest: manifest, configuration: configuration,
                layers: imageLayers, names: names, repository: nil))
        }
        return imported
    }

    /// Imports one manifest (or, for a nested index, the platform's manifest) from a layout.
    private func importManifest(
        _ descriptor: Descriptor, blobsIn directory: String, name: ImageReference?, source: String, pins: Pins
    ) async throws -> Image {
        var descriptor = descriptor
        var indexDigest: Digest?
        await pins.add([descriptor.digest])
        try importBlob(descriptor, from: directory, source: source)
        if MediaType.isIndex(descriptor.mediaType) {
            let nestedSource = "\(source) (index \(descriptor.digest))"
            let nested: ImageIndex = try JSONDocument.decode(try content.data(for: descriptor.digest), source: nestedSource)
            indexDigest = descriptor.digest
            descriptor = try nested.manifest(for: registry.configuration.platform, source: nestedSource)
            await pins.add([descriptor.digest])
            try importBlob(descriptor, from: directory, source: nestedSource)
        }
        guard MediaType.isManifest(descriptor.mediaType) else {
            throw ImageError.unsupportedMediaType(descriptor.mediaType, source: source)
        }
        let manifestSource = "\(source) (manifest \(descriptor.digest))"
        let manifest = try ImageManifest.decode(try content.data(for: descriptor.digest), source: manifestSource)
        await pins.add([manifest.config.digest] + manifest.layers.map(\.digest))
        try importBlob(manifest.config, from: directory, source: manifestSource + ": config")
        let configuration = try ImageConfiguration.decode(
            try content.data(for: manifest.config.digest), source: "\(manifestSource): config \(manifest.config.digest)")
        for (position, layer) in manifest.layers.enumerated() {
            try importBlob(layer, from: directory, source: "\(manifestSource): layers[\(position)]")
        }
        let imageLayers = try Self.layers(of: manifest, configuration: configuration, source: manifestSource)
        await pins.add(imageLayers.map(\.diffID))
        return try await record(
            manifestDigest: descriptor.digest, indexDigest: indexDigest, manifest: manifest, configuration: configuration,
            layers: imageLayers, names: name.map { [$0.description] } ?? [], repository: name)
    }

    private func importBlob(_ descriptor: Descriptor, from directory: String, source: String) throws {
        try content.importFile(
            at: "\(directory)/blobs/sha256/\(descriptor.digest.hex)", expected: descriptor.digest, expectedSize: descriptor.size,
            source: source)
    }

    /// Unpacks the layers and records an imported image.
    private func record(
        manifestDigest: Digest, indexDigest: Digest?, manifest: ImageManifest, configuration: ImageConfiguration,
        layers imageLayers: [ImageLayer], names: [String], repository: ImageReference?
    ) async throws -> Image {
        for layer in imageLayers {
            try await unpack(layer, name: "\(names.first ?? manifestDigest.description) layer \(layer.blob.digest)")
        }
        let now = Date.wholeSeconds()
        let repoDigests = names.compactMap { try? ImageReference(parsing: $0) }
            .map { $0.pinned(to: indexDigest ?? manifestDigest).description }
        let image = Image(
            id: manifest.config.digest, names: names, repoDigests: Array(Set(repoDigests)).sorted(),
            manifestDigest: manifestDigest, indexDigest: indexDigest, configuration: configuration, layers: imageLayers,
            addedAt: now, lastUsed: now)
        return try await catalog.add(image)
    }

    /// The reference an imported manifest is stored under: a bare tag (`1.36`) is joined to
    /// `repository`; anything with a `/` or `:` is a reference of its own.
    static func importName(refName: String?, repository: String?, source: String) throws(ImageError) -> ImageReference? {
        guard let refName, !refName.isEmpty else { return nil }
        if refName.contains("/") || refName.contains(":") { return try ImageReference(parsing: refName) }
        guard let repository else {
            throw .invalidDocument(
                source: source, field: "annotations[\"\(Descriptor.refNameAnnotation)\"]",
                expected: "a full image reference, or a tag together with a repository name given to the import (got \"\(refName)\")")
        }
        return try ImageReference(parsing: "\(repository):\(refName)")
    }

    /// A path from an archive's manifest, refused if it leaves the archive directory.
    static func insidePath(_ relative: String, of directory: String, source: String) throws(ImageError) -> String {
        let components = relative.split(separator: "/")
        guard !relative.hasPrefix("/"), !components.contains("..") else {
            throw .invalidDocument(source: source, field: "(path)", expected: "a relative path inside the archive, got \"\(relative)\"")
        }
        return directory + "/" + components.joined(separator: "/")
    }
}
