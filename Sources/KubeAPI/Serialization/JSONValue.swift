/// A JSON value tree: what every reader produces and every writer consumes.
///
/// Numbers keep their exact source text (`1e3`, `0.5`, `12345678901234567890`) so nothing is
/// lost on the way to `Quantity` or back out. Objects keep their members in source order and,
/// like arrays, remember the source line of each member when they came from a file
/// (see ``JSONObject/lines`` and ``JSONArray/lines``).
///
/// Equality follows JSON semantics: two objects are equal when they have the same members,
/// whatever their order; numbers compare by their text; source lines never take part.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its JSON text (a valid RFC 8259 number).
    case number(String)
    /// A string.
    case string(String)
    /// An array, with the source line of each element when read from a file.
    case array(JSONArray)
    /// An object, members in source order, with the source line of each member when read from a file.
    case object(JSONObject)
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number's text, if this is a number.
    public var numberText: String? {
        if case .number(let s) = self { return s }
        return nil
    }

    /// The number as a whole `Int64`, if it is one written without fraction or exponent.
    public var integerValue: Int64? {
        numberText.flatMap { Int64($0) }
    }

    /// A copy of this object with member `key` set to `value` (replaced where it stands, or
    /// appended); any other value is returned unchanged.
    public func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var object) = self else { return self }
        object[key] = value
        return .object(object)
    }

    /// The Boolean, if this is a Boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The array, if this is an array.
    public var arrayValue: JSONArray? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member `key` when this is an object, else nil.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The JSON type's name as errors use it: `string`, `number`, `boolean`, `null`, `array`, `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// How an error shows this value after "got": strings quoted, numbers and Booleans as
    /// written, containers by their type.
    public var errorRendering: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let text): text
        case .string(let s):
            s.count > 64 ? JSONWriter.quoted(String(s.prefix(61)) + "...") : JSONWriter.quoted(s)
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONValue.numberText(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(JSONArray(elements)) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject(minimumCapacity: elements.count)
        for (key, value) in elements { object.append(key, value) }
        self = .object(object)
    }

    /// The JSON text of a finite Double (`1`, `0.5`, `1e+21`); non-finite values become `0`,
    /// since JSON cannot carry them.
    static func numberText(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
