// The scalar conformances: JSON strings, Booleans and numbers as Go's encoding/json reads them
// (no quoting of numbers, no numbers for strings). `null` gives the zero value, as in Go: it
// reaches these only as a list element or map value (`labels: {app: }`), since an object's
// null field counts as absent.

extension String: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        if case .null = value { self = ""; return }
        guard case .string(let s) = value else {
            throw FieldErrorList(.typeMismatch(expected: "string", got: value))
        }
        self = s
    }

    public func encoded() -> JSONValue { .string(self) }
}

extension Bool: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        if case .null = value { self = false; return }
        guard case .bool(let b) = value else {
            throw FieldErrorList(.typeMismatch(expected: "boolean", got: value))
        }
        self = b
    }

    public func encoded() -> JSONValue { .bool(self) }
}

extension Double: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        if case .null = value { self = 0; return }
        guard case .number(let text) = value, let d = Double(text) else {
            throw FieldErrorList(.typeMismatch(expected: "number", got: value))
        }
        self = d
    }

    public func encoded() -> JSONValue { .number(JSONValue.numberText(self)) }
}

extension Int: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self = try JSONValue.integer(value, as: Int.self)
    }

    public func encoded() -> JSONValue { .number(String(self)) }
}

extension Int32: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self = try JSONValue.integer(value, as: Int32.self)
    }

    public func encoded() -> JSONValue { .number(String(self)) }
}

extension Int64: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self = try JSONValue.integer(value, as: Int64.self)
    }

    public func encoded() -> JSONValue { .number(String(self)) }
}

extension JSONValue {
    /// Reads an integer of type `T` from a number. Integral values written with a fraction or
    /// an exponent (`3.0`, `1e3`) are accepted, as YAML readers produce them; others are
    /// `expected integer` errors, and values outside `T`'s range say so.
    static func integer<T: FixedWidthInteger>(_ value: JSONValue, as type: T.Type) throws(FieldErrorList) -> T {
        if case .null = value { return 0 }
        guard case .number(let text) = value else {
            throw FieldErrorList(.typeMismatch(expected: "integer", got: value))
        }
        if let exact = T(text) { return exact }
        let isWhole = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        if isWhole {
            // All digits but does not fit.
            throw FieldErrorList(FieldError(message: "value \(text) out of range for \(T.bitWidth)-bit integer"))
        }
        if let d = Double(text), d == d.rounded(), let converted = T(exactly: d) {
            return converted
        }
        throw FieldErrorList(.typeMismatch(expected: "integer", got: value))
    }
}

extension JSONValue: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self = value
    }

    public func encoded() -> JSONValue { self }
}
