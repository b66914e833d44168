/// The media types of OCI and Docker schema 2 images that this store understands.
public enum MediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// The `Accept` header value for manifest requests: every manifest and index type, best first.
    public static let manifestAccept = [ociIndex, dockerManifestList, ociManifest, dockerManifest].joined(separator: ", ")

    /// Whether `type` is an image index (OCI index or Docker manifest list).
    public static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }
    /// Whether `type` is an image manifest (OCI or Docker schema 2).
    public static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }

    /// How a layer of this media type is compressed, or `nil` if the type is not a layer type.
    public static func layerCompression(_ type: String) -> LayerCompression? {
        switch type {
        case ociLayer, "application/vnd.oci.image.layer.nondistributable.v1.tar": .uncompressed
        case ociLayerGzip, ociLayerNondistributableGzip, dockerLayerGzip, dockerForeignLayerGzip: .gzip
        case ociLayerZstd, "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": .zstd
        default: nil
        }
    }
}

/// The compression of a layer blob.
public enum LayerCompression: String, Sendable, Codable {
    case uncompressed, gzip, zstd

    /// Guesses the compression from the first bytes of a blob (gzip `1f 8b`, zstd `28 b5 2f fd`).
    public static func sniff(_ prefix: [UInt8]) -> LayerCompression {
        if prefix.count >= 2, prefix[0] == 0x1f, prefix[1] == 0x8b { return .gzip }
        if prefix.count >= 4, prefix[0] == 0x28, prefix[1] == 0xb5, prefix[2] == 0x2f, prefix[3] == 0xfd { return .zstd }
        return .uncompressed
    }
}
