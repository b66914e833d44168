/// What `MetaV1.Time` and `MetaV1.MicroTime` share in documents: an instant written as RFC 3339
/// text, with `null` for the zero time, as Go's `metav1.Time` marshals it.
public protocol RFC3339Timestamp: KubeCodable {
    /// The zero time (Go's `time.Time{}`), written as `null`.
    static var zero: Self { get }
    /// Reads RFC 3339 text.
    ///
    /// - Throws: ``TimeParseError`` naming the text and the expected layout.
    init(parsing text: String) throws(TimeParseError)
    /// Whether this is the zero time.
    var isZero: Bool { get }
    /// The text upstream writes for this type.
    var rfc3339: String { get }
}

extension RFC3339Timestamp {
    /// Reads an RFC 3339 string; `null` reads as the zero time.
    ///
    /// - Throws: ``FieldErrorList`` naming the text and the expected layout.
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        switch value {
        case .null:
            self = .zero
        case .string(let text):
            do {
                self = try Self(parsing: text)
            } catch {
                throw FieldErrorList(FieldError(message: error.description))
            }
        default:
            throw FieldErrorList(.typeMismatch(expected: "RFC 3339 time string", got: value))
        }
    }

    /// The RFC 3339 text, or `null` for the zero time.
    public func encoded() -> JSONValue {
        isZero ? .null : .string(rfc3339)
    }
}
