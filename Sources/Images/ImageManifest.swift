import Foundation

/// An image manifest: OCI (`application/vnd.oci.image.manifest.v1+json`) or Docker schema 2
/// (`application/vnd.docker.distribution.manifest.v2+json`), which share this shape.
public struct ImageManifest: Hashable, Sendable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(mediaType: String = MediaType.ociManifest, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    /// Decodes and checks a manifest: schema version 2, and only layer media types the store can unpack.
    public static func decode(_ data: Data, source: String) throws(ImageError) -> ImageManifest {
        let manifest: ImageManifest = try JSONDocument.decode(data, source: source)
        guard manifest.schemaVersion == 2 else {
            throw .invalidDocument(source: source, field: "schemaVersion", expected: "2, got \(manifest.schemaVersion)")
        }
        for (index, layer) in manifest.layers.enumerated() where MediaType.layerCompression(layer.mediaType) == nil {
            throw .unsupportedMediaType(layer.mediaType, source: "\(source): layers[\(index)].mediaType")
        }
        return manifest
    }
}
