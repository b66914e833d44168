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

/// Decoding of JSON documents with errors that name the source and the field path.
enum JSONDocument {
    static func decode<T: Decodable>(_ data: Data, source: String) throws(ImageError) -> T {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, source: source)
        } catch {
            throw .invalidDocument(source: source, field: "(document)", expected: "JSON (\(error))")
        }
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding our own value types cannot fail: they hold only strings, numbers and arrays.
        return (try? encoder.encode(value)) ?? Data()
    }

    private static func describe(_ error: DecodingError, source: String) -> ImageError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "(document)" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidDocument(source: source, field: path(context.codingPath + [key]), expected: "a value (it is missing)")
        case .typeMismatch(let type, let context):
            return .invalidDocument(source: source, field: path(context.codingPath), expected: "a value of type \(type)")
        case .valueNotFound(let type, let context):
            return .invalidDocument(source: source, field: path(context.codingPath), expected: "a value of type \(type), not null")
        case .dataCorrupted(let context):
            return .invalidDocument(source: source, field: path(context.codingPath), expected: context.debugDescription)
        @unknown default:
            return .invalidDocument(source: source, field: "(document)", expected: "valid JSON")
        }
    }
}
