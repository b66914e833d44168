import Crypto
import Foundation
import KubeAPI

/// The detached JWS that the bootstrap signer puts in `cluster-info` as
/// `data.jws-kubeconfig-<token id>`: compact serialization with the payload left out
/// (RFC 7515 appendix F), `alg` HS256, `kid` the token id, over the bytes of `data.kubeconfig`.
///
/// The HMAC key is the token secret, zero-padded to 32 bytes as upstream's signer pads keys
/// shorter than HS256's minimum (a bootstrap secret is 16 bytes). HMAC itself zero-pads keys to
/// the hash's block size, so this equals keying with the bare secret; it is kept to match the
/// signer step for step.
public enum ClusterInfoSignature {
    /// Signs `content` for `token`: `<protected header>..<signature>`, both base64url without
    /// padding. The header is `{"alg":"HS256","kid":"<id>"}`, as upstream's signer writes it.
    public static func sign(content: String, token: BootstrapToken) -> String {
        let header = base64URL(Array(#"{"alg":"HS256","kid":"\#(token.id)"}"#.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: signingInput(header: header, content: content), using: key(for: token))
        return header + ".." + base64URL(Array(mac))
    }

    /// Checks `signature` over `content` for `token`.
    ///
    /// The protected header must parse, name `alg` HS256 and `kid` the token id; the MAC is
    /// compared in constant time.
    ///
    /// - Throws: ``BootstrapError/badSignature(tokenID:reason:)`` saying what did not match.
    public static func verify(_ signature: String, content: String, token: BootstrapToken) throws(BootstrapError) {
        let parts = signature.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .badSignature(tokenID: token.id, reason: "expected <header>..<signature>, found \(parts.count) parts")
        }
        guard parts[1].isEmpty else {
            throw .badSignature(tokenID: token.id, reason: "expected a detached payload (empty middle part)")
        }
        guard let headerBytes = decodeBase64URL(parts[0]),
            let header = try? JSONParser.parse(headerBytes), header.objectValue != nil
        else {
            throw .badSignature(tokenID: token.id, reason: "the protected header is not base64url-encoded JSON")
        }
        guard header["alg"]?.stringValue == "HS256" else {
            throw .badSignature(tokenID: token.id, reason: "alg is \(header["alg"]?.errorRendering ?? "missing"), expected \"HS256\"")
        }
        guard header["kid"]?.stringValue == token.id else {
            throw .badSignature(tokenID: token.id, reason: "kid is \(header["kid"]?.errorRendering ?? "missing"), expected \"\(token.id)\"")
        }
        guard let mac = decodeBase64URL(parts[2]) else {
            throw .badSignature(tokenID: token.id, reason: "the signature is not base64url")
        }
        let input = signingInput(header: String(parts[0]), content: content)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: input, using: key(for: token)) else {
            throw .badSignature(tokenID: token.id, reason: "HMAC-SHA256 mismatch")
        }
    }

    private static func key(for token: BootstrapToken) -> SymmetricKey {
        var bytes = Array(token.secret.utf8)
        if bytes.count < 32 { bytes += [UInt8](repeating: 0, count: 32 - bytes.count) }
        return SymmetricKey(data: bytes)
    }

    private static func signingInput(header: String, content: String) -> [UInt8] {
        Array((header + "." + base64URL(Array(content.utf8))).utf8)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }) else {
            return nil
        }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
