import Foundation

/// Everything the `Images` module throws. Each case carries what a person needs to act on it: the
/// file or reference, the field, and what was expected.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A digest string is not `sha256:<64 lower-case hex>`.
    case invalidDigest(String)
    /// An image reference could not be parsed; `reason` says which part is wrong.
    case invalidReference(String, reason: String)
    /// Bytes written for a blob do not hash to the digest they were announced under.
    case digestMismatch(expected: Digest, actual: Digest, source: String)
    /// Bytes written for a blob are not as many as their descriptor says.
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64, source: String)
    /// A JSON document (manifest, index, config, store index) is malformed.
    case invalidDocument(source: String, field: String, expected: String)
    /// A media type this store does not handle.
    case unsupportedMediaType(String, source: String)
    /// No manifest in an index matches the wanted platform.
    case noMatchingPlatform(wanted: String, available: [String], source: String)
    /// A tar entry would write outside the directory being unpacked into.
    case unsafeLayerEntry(path: String, reason: String, layer: String)
    /// A tar archive is malformed.
    case invalidArchive(source: String, reason: String)
    /// Decompressing a layer failed.
    case decompression(source: String, reason: String)
    /// The registry answered with an unexpected status.
    case registry(url: String, status: Int, message: String)
    /// Authentication against a registry failed.
    case authentication(registry: String, reason: String)
    /// No image is known under this name or id.
    case imageNotFound(String)
    /// An image is in use (by a container snapshot) and cannot be removed.
    case imageInUse(String, containers: [String])
    /// A system call failed.
    case system(call: String, path: String, errno: Int32)
    /// A configuration file (Docker `config.json`, registry configuration) is malformed.
    case invalidConfiguration(file: String, field: String, expected: String)

    public var description: String {
        switch self {
        case .invalidDigest(let text):
            "invalid digest \"\(text)\": expected sha256:<64 lower-case hex characters>"
        case .invalidReference(let text, let reason):
            "invalid image reference \"\(text)\": \(reason)"
        case .digestMismatch(let expected, let actual, let source):
            "\(source): content does not match its digest: expected \(expected), got \(actual)"
        case .sizeMismatch(let digest, let expected, let actual, let source):
            "\(source): blob \(digest) has \(actual) bytes, its descriptor says \(expected)"
        case .invalidDocument(let source, let field, let expected):
            "\(source): field \(field): expected \(expected)"
        case .unsupportedMediaType(let type, let source):
            "\(source): unsupported media type \"\(type)\""
        case .noMatchingPlatform(let wanted, let available, let source):
            "\(source): no manifest for platform \(wanted); the index has \(available.joined(separator: ", "))"
        case .unsafeLayerEntry(let path, let reason, let layer):
            "\(layer): refusing tar entry \"\(path)\": \(reason)"
        case .invalidArchive(let source, let reason):
            "\(source): not a valid tar archive: \(reason)"
        case .decompression(let source, let reason):
            "\(source): decompression failed: \(reason)"
        case .registry(let url, let status, let message):
            "\(url): registry answered \(status)\(message.isEmpty ? "" : ": \(message)")"
        case .authentication(let registry, let reason):
            "\(registry): authentication failed: \(reason)"
        case .imageNotFound(let name):
            "no image \"\(name)\" in the store"
        case .imageInUse(let name, let containers):
            "image \"\(name)\" is used by container(s) \(containers.joined(separator: ", "))"
        case .system(let call, let path, let code):
            "\(call)(\(path)): \(String(cString: strerror(code)))"
        case .invalidConfiguration(let file, let field, let expected):
            "\(file): field \(field): expected \(expected)"
        }
    }
}
