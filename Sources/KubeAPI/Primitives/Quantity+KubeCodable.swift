// Quantity in documents: a string (`"100m"`) or a number (`cpu: 1`, `memory: 1e3`) on the way in,
// always the canonical string on the way out, as upstream's UnmarshalJSON/MarshalJSON do.

extension Quantity: KubeCodable {
    /// Reads a quantity from a string or a number; surrounding whitespace in a string is ignored
    /// and `null` reads as zero, as upstream does.
    ///
    /// - Throws: ``FieldErrorList`` naming the text and the expected form.
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        let text: String
        switch value {
        case .null:
            self = .zero
            return
        case .string(let string):
            text = Quantity.trimmingWhitespace(string)
        case .number(let number):
            text = number
        default:
            throw FieldErrorList(.typeMismatch(expected: "quantity (string or number)", got: value))
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw FieldErrorList(FieldError(message: error.description))
        }
    }

    /// The canonical string, e.g. `"1536Mi"`.
    public func encoded() -> JSONValue { .string(description) }

    private static func trimmingWhitespace(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }
}
