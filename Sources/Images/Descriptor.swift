/// An OCI content descriptor: what a blob is, its digest and its size.
public struct Descriptor: Hashable, Sendable, Codable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    /// Only in image indexes: the platform the referenced manifest is for.
    public var platform: Platform?

    public init(
        mediaType: String, digest: Digest, size: Int64, urls: [String]? = nil, annotations: [String: String]? = nil,
        platform: Platform? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.platform = platform
    }

    /// The annotation the OCI image layout uses to name a manifest by tag.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
}
