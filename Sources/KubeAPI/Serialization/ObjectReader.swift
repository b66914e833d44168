/// Reads the members of one JSON object into a type's fields, collecting every problem.
///
/// Two styles; use one per object:
///
/// - **Keyed** (pleasant by hand): `reader.decode("port")`, `reader.require("host")`,
///   `reader.decode("mode", default: "iptables")` look a key up and mark it read; ``finish()``
///   then reports the keys nobody read as unknown fields (strict mode only).
/// - **Sequential** (what the generator writes; one pass, no lookups):
///   `while let key = reader.nextKey() { switch key { case "name": name = reader.value() ...
///   default: reader.unknownField() } }`.
///
/// A bad member value is recorded with its path and line and decoding goes on; the field is
/// left nil. ``failure()`` gives everything recorded; ``finish()`` throws it if non-empty.
public struct ObjectReader {
    /// The object being read (an empty one when the value was `null`).
    public let object: JSONObject
    /// The options of this decoding pass.
    public let context: DecodingContext
    /// The problems recorded so far.
    public private(set) var errors: [FieldError] = []
    private var position = -1
    private var consumed: [Bool] = []
    /// Whether the keyed style was used: then every key it did not read is unknown, even when it
    /// read none at all.
    private var readByKey = false
    /// Keys whose value was present but bad: already reported, so not also `required value`.
    private var failedKeys: [String] = []

    /// Starts reading `value`, which must be an object (or `null`, read as `{}` as Go does).
    ///
    /// - Throws: ``FieldErrorList`` `expected object, got ...` for any other value.
    public init(_ value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        switch value {
        case .object(let object): self.object = object
        case .null: self.object = JSONObject()
        default: throw FieldErrorList(.typeMismatch(expected: "object", got: value))
        }
        self.context = context
    }

    // MARK: Sequential style

    /// Moves to the next member and returns its key, or nil after the last one.
    public mutating func nextKey() -> String? {
        position += 1
        return position < object.count ? object.keys[position] : nil
    }

    /// Decodes the current member's value; nil when it is `null` or could not be decoded (the
    /// problem is recorded).
    public mutating func value<T: KubeCodable>(_ type: T.Type = T.self) -> T? {
        decodeMember(at: position)
    }

    /// The current member's key is not a field of the type: an error in strict mode.
    public mutating func unknownField() {
        guard context.strict else { return }
        var error = FieldError.unknownField(object.keys[position])
        error.line = object.line(at: position)
        errors.append(error)
    }

    // MARK: Keyed style

    /// Decodes member `key`; nil when absent, `null` or bad (the problem is recorded).
    public mutating func decode<T: KubeCodable>(_ key: String, as type: T.Type = T.self) -> T? {
        readByKey = true
        guard let i = object.index(of: key) else { return nil }
        markConsumed(i)
        return decodeMember(at: i)
    }

    /// Decodes member `key`, or gives `defaultValue` when it is absent or `null`. A bad value
    /// is recorded and also gives `defaultValue`.
    public mutating func decode<T: KubeCodable>(_ key: String, default defaultValue: T) -> T {
        decode(key, as: T.self) ?? defaultValue
    }

    /// Decodes member `key`, recording `required value` when it is absent or `null`.
    public mutating func require<T: KubeCodable>(_ key: String, as type: T.Type = T.self) -> T? {
        readByKey = true
        guard let i = object.index(of: key) else {
            missing(key)
            return nil
        }
        markConsumed(i)
        if case .null = object.values[i] {
            missing(key)
            return nil
        }
        return decodeMember(at: i)
    }

    /// Marks `key` as read without decoding it (e.g. `apiVersion`, checked elsewhere).
    public mutating func skip(_ key: String) {
        readByKey = true
        if let i = object.index(of: key) { markConsumed(i) }
    }

    // MARK: Both styles

    /// Records `key: required value` (at the object's own line, which the caller fills in),
    /// unless the key was present with a bad value, which is already reported.
    public mutating func missing(_ key: String) {
        if failedKeys.contains(key) { return }
        errors.append(.required(key))
    }

    /// Records a problem of member `key` found by the caller (e.g. a value outside an enum);
    /// `error.path` is relative to that member.
    public mutating func record(_ error: FieldError, at key: String) {
        var copy = error
        copy.path = error.path.prepending(.field(key))
        if copy.line == nil, let i = object.index(of: key) { copy.line = object.line(at: i) }
        errors.append(copy)
    }

    /// Records a problem of the object as a whole.
    public mutating func record(_ error: FieldError) {
        errors.append(error)
    }

    /// Everything recorded so far, as a throwable list. Unread keys are not included; use
    /// ``finish()`` for that.
    public func failure() -> FieldErrorList {
        FieldErrorList(errors.isEmpty ? [FieldError(message: "invalid value")] : errors)
    }

    /// Ends reading: in strict mode, keys not read in keyed style are unknown fields; then
    /// throws when anything was recorded.
    ///
    /// - Throws: ``FieldErrorList`` with every problem recorded.
    public mutating func finish() throws(FieldErrorList) {
        if context.strict, readByKey {
            for i in 0..<object.count where consumed.isEmpty || !consumed[i] {
                var error = FieldError.unknownField(object.keys[i])
                error.line = object.line(at: i)
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw FieldErrorList(errors) }
    }

    // MARK: Private

    private mutating func markConsumed(_ i: Int) {
        if consumed.isEmpty { consumed = Array(repeating: false, count: object.count) }
        consumed[i] = true
    }

    private mutating func decodeMember<T: KubeCodable>(at i: Int) -> T? {
        let member = object.values[i]
        if case .null = member { return nil }
        do {
            return try T(from: member, context: context)
        } catch {
            failedKeys.append(object.keys[i])
            errors.append(contentsOf: error.nested(under: .field(object.keys[i]), line: object.line(at: i)))
            return nil
        }
    }
}
