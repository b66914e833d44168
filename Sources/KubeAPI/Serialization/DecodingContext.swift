/// Options that hold for a whole decoding pass.
public struct DecodingContext: Sendable, Hashable {
    /// Unknown fields are errors (as `kubectl --validate=strict`); otherwise they are ignored.
    public var strict: Bool

    /// A context; `strict` makes unknown fields errors.
    public init(strict: Bool) {
        self.strict = strict
    }

    /// Unknown fields are errors.
    public static let strict = DecodingContext(strict: true)
    /// Unknown fields are ignored, as the API server's clients do when reading its answers.
    public static let lax = DecodingContext(strict: false)
}
