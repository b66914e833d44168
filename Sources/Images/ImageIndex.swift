/// An image index (OCI) or manifest list (Docker): one manifest per platform.
public struct ImageIndex: Hashable, Sendable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(mediaType: String = MediaType.ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The entry for `platform`: an exact match (variant included) first, else a compatible one.
    /// Entries without a platform (attestations, nested indexes in a layout) are considered only
    /// when no entry names a platform at all.
    public func manifest(for platform: Platform, source: String) throws(ImageError) -> Descriptor {
        let candidates = manifests.filter { MediaType.isManifest($0.mediaType) || MediaType.isIndex($0.mediaType) }
        let withPlatform = candidates.filter { $0.platform != nil }
        if withPlatform.isEmpty, let only = candidates.first { return only }
        if let exact = withPlatform.first(where: { $0.platform == platform }) { return exact }
        if let compatible = withPlatform.first(where: { platform.matches($0.platform!) }) { return compatible }
        throw .noMatchingPlatform(
            wanted: platform.description, available: withPlatform.map { $0.platform!.description }, source: source)
    }
}
