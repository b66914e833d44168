import Crypto
import Foundation

/// A content digest as the OCI image spec writes it: `algorithm:encoded`, e.g. `sha256:9f86d0…`.
///
/// Only `sha256` is accepted: it is what registries and image layouts use, and the store's blob
/// paths are `blobs/sha256/<hex>`. The encoded part is always 64 lower-case hex characters, so a
/// digest is safe to use as a file name.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The algorithm, always `sha256`.
    public var algorithm: String { "sha256" }
    /// The 64 lower-case hex characters.
    public let hex: String

    /// Parses `sha256:<64 hex>`; throws ``ImageError/invalidDigest(_:)`` for anything else.
    public init(parsing text: String) throws(ImageError) {
        guard text.hasPrefix("sha256:") else { throw .invalidDigest(text) }
        let encoded = text.dropFirst("sha256:".count)
        guard encoded.count == 64, encoded.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw .invalidDigest(text)
        }
        hex = String(encoded)
    }

    /// The digest of `data`.
    public init(of data: some DataProtocol) {
        var hasher = SHA256()
        hasher.update(data: data)
        self.init(finalizing: hasher)
    }

    /// The digest a running SHA-256 has reached.
    public init(finalizing hasher: SHA256) {
        hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    public var description: String { "sha256:\(hex)" }

    /// A short form for people: the first 12 hex characters.
    public var short: String { String(hex.prefix(12)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a digest of the form sha256:<64 lower-case hex>, got \"\(text)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
