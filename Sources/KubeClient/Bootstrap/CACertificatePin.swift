import Crypto
import SwiftASN1

/// A pin of the cluster CA, `sha256:<hex>`, exactly as kubeadm prints it for
/// `--discovery-token-ca-cert-hash`: the SHA-256 of the CA certificate's
/// SubjectPublicKeyInfo, DER-encoded as it appears in the certificate.
public struct CACertificatePin: Sendable, Hashable, CustomStringConvertible {
    /// The 32-byte SHA-256 digest.
    public let digest: [UInt8]

    /// Parses `sha256:<64 hex digits>` (upper- or lower-case hex).
    ///
    /// - Throws: ``BootstrapError/invalidCACertificatePin(_:)``.
    public init(_ text: String) throws(BootstrapError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw .invalidCACertificatePin("\"\(text)\" has no \"sha256:\" prefix")
        }
        let format = text[..<colon]
        let hex = text[text.index(after: colon)...]
        guard format == "sha256" else {
            throw .invalidCACertificatePin("format \"\(format)\" is not supported, only sha256")
        }
        guard hex.utf8.count == 64, let bytes = Self.bytes(fromHex: hex) else {
            throw .invalidCACertificatePin("\"\(hex)\" is not 64 hexadecimal digits")
        }
        digest = bytes
    }

    /// The pin of a certificate given as DER.
    ///
    /// - Throws: ``BootstrapError/credentials(_:)`` when `certificateDER` is not an X.509 certificate.
    public init(certificateDER: [UInt8]) throws(BootstrapError) {
        let spki = try Self.subjectPublicKeyInfoDER(of: certificateDER)
        digest = Array(SHA256.hash(data: spki))
    }

    /// `sha256:<lower-case hex>`.
    public var description: String {
        "sha256:" + digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether any certificate of `bundle` (DER each) matches this pin.
    public func matchesAny(of bundle: [[UInt8]]) -> Bool {
        bundle.contains { certificate in (try? CACertificatePin(certificateDER: certificate)) == self }
    }

    /// The SubjectPublicKeyInfo of a certificate as it is encoded in it, read from the
    /// TBSCertificate (RFC 5280 §4.1): the optional `[0]` version, serialNumber, signature,
    /// issuer, validity, subject, then subjectPublicKeyInfo. Re-encoding the parsed key could
    /// differ from the certificate's bytes; kubeadm hashes the bytes as they are.
    static func subjectPublicKeyInfoDER(of certificateDER: [UInt8]) throws(BootstrapError) -> [UInt8] {
        do {
            let root = try DER.parse(certificateDER)
            guard case .constructed(let certificate) = root.content,
                let tbs = certificate.first(where: { _ in true }),
                case .constructed(let tbsFields) = tbs.content
            else {
                throw BootstrapError.credentials("certificate is not a DER SEQUENCE with a TBSCertificate")
            }
            var fields = Array(tbsFields)
            if let first = fields.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                fields.removeFirst()
            }
            guard fields.count >= 6 else {
                throw BootstrapError.credentials("TBSCertificate has \(fields.count) fields after the version, expected at least 6")
            }
            return Array(fields[5].encodedBytes)
        } catch let error as BootstrapError {
            throw error
        } catch {
            throw .credentials("certificate does not parse as DER: \(error)")
        }
    }

    private static func bytes(fromHex hex: Substring) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for character in hex.utf8 {
            let value: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let pending = high {
                result.append(pending << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return high == nil ? result : nil
    }
}
