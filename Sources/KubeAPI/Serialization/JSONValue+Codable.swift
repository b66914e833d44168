// JSONValue's own Codable conformance, through whatever container the coder offers. Only the
// bridge for other coders uses it; KubeAPI's readers and writers work on bytes directly.

extension JSONValue {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var object = JSONObject(minimumCapacity: keyed.allKeys.count)
            for key in keyed.allKeys {
                object.append(key.stringValue, try keyed.decode(JSONValue.self, forKey: key))
            }
            self = .object(object)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var array = JSONArray()
            while !unkeyed.isAtEnd {
                array.append(try unkeyed.decode(JSONValue.self))
            }
            self = .array(array)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let s = try? single.decode(String.self) {
            self = .string(s)
        } else if let i = try? single.decode(Int64.self) {
            self = .number(String(i))
        } else if let u = try? single.decode(UInt64.self) {
            self = .number(String(u))
        } else {
            self = .number(JSONValue.numberText(try single.decode(Double.self)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let b):
            var single = encoder.singleValueContainer()
            try single.encode(b)
        case .string(let s):
            var single = encoder.singleValueContainer()
            try single.encode(s)
        case .number(let text):
            var single = encoder.singleValueContainer()
            if let i = Int64(text) {
                try single.encode(i)
            } else if let u = UInt64(text) {
                try single.encode(u)
            } else {
                try single.encode(Double(text) ?? 0)
            }
        case .array(let array):
            var unkeyed = encoder.unkeyedContainer()
            for element in array.elements { try unkeyed.encode(element) }
        case .object(let object):
            var keyed = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in object.members {
                try keyed.encode(value, forKey: AnyKey(stringValue: key))
            }
        }
    }
}
