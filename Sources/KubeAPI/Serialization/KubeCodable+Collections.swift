// Lists and maps: `[T]` and `[String: T]` decode element by element, keep going after a bad
// element, and report paths as `[3]` and `[key]`. A null element or value is handed to the
// element type, which reads it as its zero value (Go's behaviour); a null list or map is empty.

extension Array: KubeCodable where Element: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        if case .null = value { self = []; return }
        guard case .array(let array) = value else {
            throw FieldErrorList(.typeMismatch(expected: "array", got: value))
        }
        var result: [Element] = []
        result.reserveCapacity(array.count)
        var errors: [FieldError] = []
        for (i, element) in array.elements.enumerated() {
            do {
                result.append(try Element(from: element, context: context))
            } catch {
                errors.append(contentsOf: error.nested(under: .index(i), line: array.line(at: i)))
            }
        }
        if !errors.isEmpty { throw FieldErrorList(errors) }
        self = result
    }

    public func encoded() -> JSONValue {
        .array(JSONArray(map { $0.encoded() }))
    }
}

extension Dictionary: KubeCodable where Key == String, Value: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        if case .null = value { self = [:]; return }
        guard case .object(let object) = value else {
            throw FieldErrorList(.typeMismatch(expected: "object", got: value))
        }
        var result: [String: Value] = [:]
        result.reserveCapacity(object.count)
        var errors: [FieldError] = []
        for (i, (key, member)) in object.members.enumerated() {
            do {
                result[key] = try Value(from: member, context: context)
            } catch {
                errors.append(contentsOf: error.nested(under: .key(key), line: object.line(at: i)))
            }
        }
        if !errors.isEmpty { throw FieldErrorList(errors) }
        self = result
    }

    /// Keys sorted, as Go writes maps.
    public func encoded() -> JSONValue {
        var object = JSONObject(minimumCapacity: count)
        for key in keys.sorted() {
            object.append(key, self[key]!.encoded())
        }
        return .object(object)
    }
}
