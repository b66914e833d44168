import KubeAPI

extension JSONValue {
    /// The value at a path of object keys, if every step is an object holding the next key.
    func value(at path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// A copy with the value at `path` set (creating intermediate objects), or removed when nil.
    func setting(path: [String], to newValue: JSONValue?) -> JSONValue {
        guard let key = path.first else { return newValue ?? .null }
        var object = objectValue ?? JSONObject()
        if path.count == 1 {
            object[key] = newValue
        } else {
            let child = object[key] ?? .object(JSONObject())
            object[key] = child.setting(path: Array(path.dropFirst()), to: newValue)
        }
        return .object(object)
    }

    /// The string at `metadata.<key>`, if any.
    func metadataString(_ key: String) -> String? {
        self["metadata"]?[key]?.stringValue
    }

    /// A string-to-string map at `path` (labels, annotations); other members are ignored.
    func stringMap(at path: [String]) -> [String: String] {
        guard let object = value(at: path)?.objectValue else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in object.members {
            if let string = value.stringValue { map[key] = string }
        }
        return map
    }

    /// The value rendered as a field selector compares it: strings as they are, numbers and
    /// Booleans as written, anything else (or absent) as the empty string.
    var selectorText: String {
        switch self {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        default: ""
        }
    }

    /// The members of an object, or none.
    var objectMembers: [(String, JSONValue)] {
        objectValue.map { Array($0.members) } ?? []
    }
}
