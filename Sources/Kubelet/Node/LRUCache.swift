/// A map that keeps at most `capacity` entries, forgetting the least recently used (upstream's
/// `golang-lru` as the event correlator uses it).
struct LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var entries: [Key: (value: Value, used: UInt64)] = [:]
    private var tick: UInt64 = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { entries.count }

    /// The value for `key`, marking it used.
    mutating func get(_ key: Key) -> Value? {
        guard let entry = entries[key] else { return nil }
        tick += 1
        entries[key] = (entry.value, tick)
        return entry.value
    }

    /// Sets `key`, evicting the least recently used entry when full.
    mutating func add(_ key: Key, _ value: Value) {
        tick += 1
        if entries[key] == nil, entries.count >= capacity,
            let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key
        {
            entries[oldest] = nil
        }
        entries[key] = (value, tick)
    }
}
