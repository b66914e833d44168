/// The members of a JSON object in source order, with the source line of each member (its key)
/// when it came from a file. Keys are unique: the readers reject or merge duplicates.
public struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The keys, in order.
    public private(set) var keys: [String]
    /// The values, parallel to ``keys``.
    public private(set) var values: [JSONValue]
    /// The 1-based source line of each member, or empty when the object was built in code.
    public private(set) var lines: [Int32]

    /// An empty object.
    public init() {
        keys = []
        values = []
        lines = []
    }

    /// An empty object with room for `minimumCapacity` members.
    public init(minimumCapacity: Int) {
        self.init()
        keys.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(minimumCapacity: elements.count)
        for (key, value) in elements { self[key] = value }
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The members in order.
    public var members: Zip2Sequence<[String], [JSONValue]> { zip(keys, values) }

    /// The index of `key`, if present.
    public func index(of key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    /// The source line of member `index`, if known.
    public func line(at index: Int) -> Int? {
        index < lines.count ? Int(lines[index]) : nil
    }

    /// The value of `key`; setting nil removes the member, setting a value replaces it in place
    /// or appends it.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { values[$0] } }
        set {
            if let i = index(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                    if !lines.isEmpty { lines.remove(at: i) }
                }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }

    /// Appends a member without looking for an existing one with the same key; the caller
    /// guarantees uniqueness (encoders writing schema properties do). `line` is kept only when
    /// every member so far has one.
    public mutating func append(_ key: String, _ value: JSONValue, line: Int? = nil) {
        if let line, lines.count == keys.count {
            lines.append(Int32(clamping: line))
        } else if !lines.isEmpty {
            lines.removeAll()
        }
        keys.append(key)
        values.append(value)
    }

    /// Replaces the value of member `index`, keeping its position and line.
    public mutating func replaceValue(at index: Int, with value: JSONValue) {
        values[index] = value
    }

    /// Appends `key: value.encoded()` unless `value` is nil (Go's `omitempty` for pointers).
    public mutating func put<T: KubeCodable>(_ key: String, _ value: T?) {
        if let value { append(key, value.encoded()) }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.keys.count == rhs.keys.count else { return false }
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (i, key) in lhs.keys.enumerated() {
            guard let j = rhs.index(of: key), rhs.values[j] == lhs.values[i] else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==.
        var combined = 0
        for (key, value) in members {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            combined = combined &+ member.finalize()
        }
        hasher.combine(keys.count)
        hasher.combine(combined)
    }
}
