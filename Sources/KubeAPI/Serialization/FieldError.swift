/// One problem found while decoding a value: where (path and, when known, source line) and what.
///
/// `description` reads `spec.containers[0].ports[1].containerPort: expected integer, got "http"`.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field the problem is about, relative to the value being decoded.
    public var path: FieldPath
    /// The 1-based source line, when the value came from a file.
    public var line: Int?
    /// What was wrong, e.g. `expected integer, got "http"` or `required value`.
    public var message: String

    /// A problem at `path` (relative to the value being decoded), on `line` if known.
    public init(path: FieldPath = .root, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }

    /// `expected <expected>, got <value>`.
    public static func typeMismatch(expected: String, got value: JSONValue) -> FieldError {
        FieldError(message: "expected \(expected), got \(value.errorRendering)")
    }

    /// A required field that is absent or null, reported at `field`.
    public static func required(_ field: String) -> FieldError {
        FieldError(path: FieldPath([.field(field)]), message: "required value")
    }

    /// A field the type does not have (an error in strict mode only).
    public static func unknownField(_ field: String) -> FieldError {
        FieldError(path: FieldPath([.field(field)]), message: "unknown field \(JSONWriter.quoted(field))")
    }

    /// An unsupported value: `unsupported value "Foo", supported values: "A", "B"`.
    public static func unsupportedValue(_ value: String, supported: [String]) -> FieldError {
        let list = supported.map(JSONWriter.quoted).joined(separator: ", ")
        return FieldError(message: "unsupported value \(JSONWriter.quoted(value)), supported values: \(list)")
    }
}
