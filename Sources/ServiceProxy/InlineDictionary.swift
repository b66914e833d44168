/// A non-empty dictionary that keeps a single entry inline. The proxier keeps one small map
/// per service (its ports, its slices, its endpoints by port), and almost every service has one
/// entry: inline, that costs no heap object of its own, where a `Dictionary` costs ~200 bytes.
/// Absence (no entries) is the containing optional's nil.
enum InlineDictionary<Key: Hashable, Value> {
    case one(Key, Value)
    case many([Key: Value])

    /// `entries` as an inline dictionary; nil when it is empty.
    init?(_ entries: [Key: Value]) {
        if entries.count > 1 {
            self = .many(entries)
        } else if let only = entries.first {
            self = .one(only.key, only.value)
        } else {
            return nil
        }
    }

    subscript(key: Key) -> Value? {
        switch self {
        case .one(let only, let value): only == key ? value : nil
        case .many(let all): all[key]
        }
    }

    /// The entries as a `Dictionary`.
    var dictionary: [Key: Value] {
        switch self {
        case .one(let key, let value): [key: value]
        case .many(let all): all
        }
    }

    var keys: [Key] {
        switch self {
        case .one(let key, _): [key]
        case .many(let all): Array(all.keys)
        }
    }

    func forEach(_ body: (Key, Value) -> Void) {
        switch self {
        case .one(let key, let value): body(key, value)
        case .many(let all): for (key, value) in all { body(key, value) }
        }
    }

    /// These entries with `key` set to `value` (nil removes it); nil when none is left.
    func setting(_ key: Key, _ value: Value?) -> InlineDictionary? {
        if case .one(let only, _) = self, only == key {
            return value.map { .one(key, $0) }
        }
        var all = dictionary
        all[key] = value
        return InlineDictionary(all)
    }
}

extension InlineDictionary: Sendable where Key: Sendable, Value: Sendable {}

extension InlineDictionary: Equatable where Value: Equatable {
    static func == (a: InlineDictionary, b: InlineDictionary) -> Bool {
        switch (a, b) {
        case (.one(let keyA, let valueA), .one(let keyB, let valueB)): keyA == keyB && valueA == valueB
        default: a.dictionary == b.dictionary
        }
    }
}

extension Optional {
    /// `self` with `key` set to `value` in the inline dictionary (nil removes it).
    mutating func set<Key, Element>(_ key: Key, _ value: Element?) where Wrapped == InlineDictionary<Key, Element> {
        if let current = self {
            self = current.setting(key, value)
        } else if let value {
            self = .one(key, value)
        }
    }
}
