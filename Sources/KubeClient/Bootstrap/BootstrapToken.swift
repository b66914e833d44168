/// A bootstrap token, `<id>.<secret>`, as `kubeadm token create` prints it.
///
/// The id (6 characters) is public: it names the `bootstrap-token-<id>` Secret and the
/// `jws-kubeconfig-<id>` signature in `cluster-info`. The secret (16 characters) keys the
/// signature and, with the id, authenticates as `system:bootstrap:<id>`.
public struct BootstrapToken: Sendable, Hashable, CustomStringConvertible {
    /// The public part, `[a-z0-9]{6}`.
    public let id: String
    /// The secret part, `[a-z0-9]{16}`.
    public let secret: String

    /// Parses `ID.SECRET`.
    ///
    /// - Throws: ``BootstrapError/invalidToken(_:)`` saying which part is wrong.
    public init(_ text: String) throws(BootstrapError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidToken("\"\(Self.redacted(text))\" has \(parts.count - 1) dots, expected exactly one")
        }
        let id = String(parts[0])
        let secret = String(parts[1])
        guard id.utf8.count == 6, Self.isLowerAlphanumeric(id) else {
            throw .invalidToken("id \"\(id)\" must be 6 characters of a-z and 0-9")
        }
        guard secret.utf8.count == 16, Self.isLowerAlphanumeric(secret) else {
            throw .invalidToken("secret of token \(id) must be 16 characters of a-z and 0-9")
        }
        self.id = id
        self.secret = secret
    }

    /// `id.secret`, the bearer token sent to the API server.
    public var bearerToken: String { "\(id).\(secret)" }

    /// The user the API server sees: `system:bootstrap:<id>`.
    public var userName: String { "system:bootstrap:\(id)" }

    /// The id with the secret hidden, safe for logs.
    public var description: String { "\(id).<redacted>" }

    private static func isLowerAlphanumeric(_ text: String) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Only the part before the first dot, so a mistyped secret is never echoed.
    private static func redacted(_ text: String) -> String {
        guard let dot = text.firstIndex(of: ".") else { return text.count > 6 ? "<redacted>" : text }
        return "\(text[..<dot]).<redacted>"
    }
}
