import KubeAPI

// Helpers for the configuration types, which read their members in sequential style (every key
// is either a known field or an unknown-field error) into a value that starts out holding the
// defaults.

extension ObjectReader {
    /// Sets `target` to the current member's value; a `null` or bad value leaves the default
    /// (a bad value is recorded).
    mutating func assign<T: KubeCodable>(_ target: inout T) {
        if let value: T = value() {
            target = value
        }
    }

    /// Sets `target` to the current member's value, or nil when it is `null`.
    mutating func assign<T: KubeCodable>(_ target: inout T?) {
        target = value()
    }

    /// Like ``assign(_:)-(T)``, but a zero value also leaves the default: upstream's defaulting
    /// replaces zero values of non-pointer fields (`port: 0` means 10250).
    mutating func assignUnlessZero<T: KubeCodable>(_ target: inout T, zero: T) {
        if let value: T = value(), value != zero {
            target = value
        }
    }
}

extension JSONObject {
    /// Appends `key: value.encoded()`.
    mutating func add<T: KubeCodable>(_ key: String, _ value: T) {
        append(key, value.encoded())
    }
}

extension ObjectReader {
    /// Reads the current member as an inline object whose keys `body` handles, returning false
    /// for a key it does not know (an unknown-field error). Problems are recorded under the
    /// member's key.
    mutating func nested(_ key: String, _ body: (inout ObjectReader, String) -> Bool) {
        guard let member: JSONValue = value() else { return }
        do {
            var inner = try ObjectReader(member, context: context)
            while let innerKey = inner.nextKey() {
                if !body(&inner, innerKey) {
                    inner.unknownField()
                }
            }
            try inner.finish()
        } catch {
            for problem in error.errors {
                record(problem, at: key)
            }
        }
    }

    /// Checks `apiVersion` or `kind` (whichever `key` is) against the type's own.
    mutating func readTypeMeta(_ key: String, apiVersion: String, kind: String) {
        let expected = key == "kind" ? kind : apiVersion
        guard let actual: String = value() else { return }
        if actual != expected {
            record(FieldError(message: "expected \(quotedText(expected)), got \(quotedText(actual))"), at: key)
        }
    }
}

/// `text` quoted for an error message, as field errors quote values.
func quotedText(_ text: String) -> String {
    JSONValue.string(text).errorRendering
}
