import Foundation
@testable import Images

/// Writes an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`) for tests, from layer
/// tarballs built with ``TarBuilder``.
struct OCILayoutBuilder {
    let directory: String
    private(set) var manifests: [Descriptor] = []

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/blobs/sha256", withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/oci-layout"))
    }

    /// Stores a blob and returns its descriptor.
    @discardableResult
    func blob(_ data: Data, mediaType: String) throws -> Descriptor {
        let digest = Digest(of: data)
        try data.write(to: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(digest.hex)"))
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }

    /// Adds an image made of `layers` (uncompressed tars, compressed as `compression` says),
    /// tagged `tag`, and returns its manifest descriptor.
    @discardableResult
    mutating func addImage(
        layers: [Data], tag: String?, compression: LayerCompression = .gzip, defaults: ContainerDefaults? = nil,
        platform: Platform = .current, listed: Bool = true
    ) throws -> Descriptor {
        var layerDescriptors: [Descriptor] = []
        for layer in layers {
            switch compression {
            case .gzip: layerDescriptors.append(try blob(Compression.gzip(layer), mediaType: MediaType.ociLayerGzip))
            case .zstd: layerDescriptors.append(try blob(Compression.zstd(layer), mediaType: MediaType.ociLayerZstd))
            case .uncompressed: layerDescriptors.append(try blob(layer, mediaType: MediaType.ociLayer))
            }
        }
        let configuration = ImageConfiguration(
            platform: platform, config: defaults, diffIDs: layers.map { Digest(of: $0) }, created: "2026-01-01T00:00:00Z")
        let config = try blob(JSONDocument.encode(configuration), mediaType: MediaType.ociConfig)
        let manifest = ImageManifest(config: config, layers: layerDescriptors)
        var descriptor = try blob(JSONDocument.encode(manifest), mediaType: MediaType.ociManifest)
        if let tag { descriptor.annotations = [Descriptor.refNameAnnotation: tag] }
        descriptor.platform = platform
        if listed {
            manifests.append(descriptor)
            try writeIndex()
        }
        return descriptor
    }

    /// Adds a nested image index over `entries` (manifest descriptors with platforms), tagged `tag`.
    @discardableResult
    mutating func addIndex(of entries: [Descriptor], tag: String) throws -> Descriptor {
        var descriptor = try blob(JSONDocument.encode(ImageIndex(manifests: entries)), mediaType: MediaType.ociIndex)
        descriptor.annotations = [Descriptor.refNameAnnotation: tag]
        manifests.append(descriptor)
        try writeIndex()
        return descriptor
    }

    private func writeIndex() throws {
        try JSONDocument.encode(ImageIndex(manifests: manifests)).write(to: URL(fileURLWithPath: directory + "/index.json"))
    }
}

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "images-test") throws {
        let base = NSTemporaryDirectory() + "swiftlet-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
