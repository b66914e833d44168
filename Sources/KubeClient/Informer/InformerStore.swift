import Synchronization

/// An informer's local copy of the objects, keyed `namespace/name`, with secondary indexes, and the
/// subscribers its changes go to. Every change and its events happen under one lock, so a
/// subscriber sees exactly the changes after its snapshot, in order.
public final class InformerStore<Object: KubeResource>: Sendable {
    /// Computes the values an object is indexed under.
    public typealias IndexFunction = @Sendable (Object) -> [String]

    private struct State {
        var objects: [String: Object] = [:]
        var indexes: [String: [String: Set<String>]] = [:]
        var subscribers: [Int: AsyncStream<InformerEvent<Object>>.Continuation] = [:]
        var handlers: [@Sendable (InformerEvent<Object>) -> Void] = []
        var nextSubscriber = 0
    }

    private let indexers: [String: IndexFunction]
    private let state = Mutex(State())

    /// An empty store with `indexers` by name.
    public init(indexers: [String: IndexFunction] = [:]) {
        self.indexers = indexers
    }

    /// The object with `key` (`namespace/name` or `name`).
    public func get(_ key: String) -> Object? {
        state.withLock { $0.objects[key] }
    }

    /// The object `name` in `namespace` (nil for cluster-scoped kinds).
    public func get(namespace: String?, name: String) -> Object? {
        get(namespace.map { $0 + "/" + name } ?? name)
    }

    /// Every object, in no particular order.
    public func list() -> [Object] {
        state.withLock { Array($0.objects.values) }
    }

    /// The keys of every object.
    public func keys() -> [String] {
        state.withLock { Array($0.objects.keys) }
    }

    /// The objects whose index `index` includes `value`.
    public func byIndex(_ index: String, _ value: String) -> [Object] {
        state.withLock { state in
            (state.indexes[index]?[value] ?? []).compactMap { state.objects[$0] }
        }
    }

    /// A stream of every change from now on, preceded by an `added` for each object already held.
    public func events() -> AsyncStream<InformerEvent<Object>> {
        let (stream, continuation) = AsyncStream.makeStream(of: InformerEvent<Object>.self)
        let id = state.withLock { state in
            for object in state.objects.values { continuation.yield(.added(object)) }
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Calls `handler` for every change from now on (synchronously, under the store's lock: keep
    /// it short and do not call back into the store), after an `added` for each object held.
    public func addHandler(_ handler: @escaping @Sendable (InformerEvent<Object>) -> Void) {
        state.withLock { state in
            for object in state.objects.values { handler(.added(object)) }
            state.handlers.append(handler)
        }
    }

    /// Ends every event stream.
    func finish() {
        state.withLock { state in
            for continuation in state.subscribers.values { continuation.finish() }
            state.subscribers = [:]
        }
    }

    /// Applies one watch event's object: added or updated (`present`), or deleted.
    func apply(_ object: Object, present: Bool) {
        let key = object.storeKey
        state.withLock { state in
            let old = state.objects[key]
            if present {
                self.put(object, key: key, old: old, into: &state)
                self.emit(old.map { .updated(old: $0, new: object) } ?? .added(object), in: state)
            } else if let old {
                self.remove(key: key, old: old, from: &state)
                self.emit(.deleted(object), in: state)
            }
        }
    }

    /// Replaces the whole content with a fresh list: adds what is new, updates what changed
    /// (a different resourceVersion), deletes what disappeared; unchanged objects make no event.
    func replace(with objects: [Object]) {
        state.withLock { state in
            var fresh: [String: Object] = [:]
            for object in objects { fresh[object.storeKey] = object }
            for (key, old) in state.objects where fresh[key] == nil {
                self.remove(key: key, old: old, from: &state)
                self.emit(.deleted(old), in: state)
            }
            for object in objects {
                let key = object.storeKey
                let old = state.objects[key]
                if let old, old.resourceVersion == object.resourceVersion, old == object { continue }
                self.put(object, key: key, old: old, into: &state)
                self.emit(old.map { .updated(old: $0, new: object) } ?? .added(object), in: state)
            }
        }
    }

    private func put(_ object: Object, key: String, old: Object?, into state: inout State) {
        if let old { unindex(old, key: key, in: &state) }
        state.objects[key] = object
        for (name, function) in indexers {
            for value in function(object) { state.indexes[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private func remove(key: String, old: Object, from state: inout State) {
        unindex(old, key: key, in: &state)
        state.objects[key] = nil
    }

    private func unindex(_ object: Object, key: String, in state: inout State) {
        for (name, function) in indexers {
            for value in function(object) {
                state.indexes[name]?[value]?.remove(key)
                if state.indexes[name]?[value]?.isEmpty == true { state.indexes[name]?[value] = nil }
            }
        }
    }

    private func emit(_ event: InformerEvent<Object>, in state: State) {
        for continuation in state.subscribers.values { continuation.yield(event) }
        for handler in state.handlers { handler(event) }
    }
}
