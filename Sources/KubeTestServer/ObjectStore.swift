import Foundation
import KubeAPI
import Synchronization

/// Where one object lives: its namespace (empty for cluster-scoped objects) and name. Keys sort as
/// etcd's do, namespace first.
struct ObjectKey: Hashable, Comparable, Sendable {
    var namespace: String
    var name: String

    var text: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// One committed change, kept until compaction so watches can resume and lists can be served at
/// an older resourceVersion.
struct StoredChange: Sendable {
    var revision: Int64
    var resource: ResourceType
    var key: ObjectKey
    /// `ADDED`, `MODIFIED` or `DELETED`.
    var type: String
    /// The object after the change (for DELETED: the last state, carrying the deletion's revision).
    var object: JSONValue
    /// The object before the change, nil for ADDED.
    var previous: JSONValue?
}

/// What a watch stream carries.
enum WatchMessage: Sendable {
    case event(type: String, object: JSONValue)
    /// The server closes the stream (dropped watches, shutdown).
    case close
}

/// Which objects a list or watch is about.
struct ObjectFilter: Sendable {
    var resource: ResourceType
    var namespace: String?
    var labels: LabelSelectorExpression = .everything
    var fields: FieldSelectorExpression?

    var hasSelectors: Bool { !labels.isEmpty || !(fields?.terms.isEmpty ?? true) }

    func matches(_ object: JSONValue) -> Bool {
        if let namespace, object.metadataString("namespace") ?? "" != namespace { return false }
        if !labels.isEmpty, !labels.matches(object.stringMap(at: ["metadata", "labels"])) { return false }
        if let fields, !fields.terms.isEmpty {
            var values: [String: String] = [:]
            for term in fields.terms {
                values[term.field] = object.value(at: term.field.split(separator: ".").map(String.init))?.selectorText ?? ""
            }
            if !fields.matches(values) { return false }
        }
        return true
    }
}

/// A registered watch.
struct WatchSubscription: Sendable {
    var filter: ObjectFilter
    var bookmarks: Bool
    var continuation: AsyncStream<WatchMessage>.Continuation
}

/// The server's etcd: every object by resource and key, one global revision, the change history
/// since the compaction point and the open watches. All access goes through ``transaction(_:)``.
final class ObjectStore: Sendable {
    private let state = Mutex(StoreState())

    /// Runs `body` with exclusive access to the state; changes it commits reach watches in order.
    func transaction<T: Sendable, E: Error>(_ body: (inout StoreState) throws(E) -> T) throws(E) -> T {
        try state.withLock { (state: inout StoreState) throws(E) -> T in try body(&state) }
    }
}

/// The store's contents; see ``ObjectStore``.
struct StoreState: Sendable {
    /// The last committed revision (etcd's header revision).
    private(set) var revision: Int64 = 1
    /// Changes at or below this revision are gone: watches from older versions get 410 Gone.
    private(set) var compactedRevision: Int64 = 1
    private(set) var objects: [ResourceType: [ObjectKey: JSONValue]] = [:]
    private(set) var history: [StoredChange] = []
    private var watches: [Int: WatchSubscription] = [:]
    private var nextWatchID = 0
    /// Changes kept at most; older ones are compacted automatically.
    var historyLimit = 50_000

    func object(_ resource: ResourceType, _ key: ObjectKey) -> JSONValue? {
        objects[resource]?[key]
    }

    func objects(of resource: ResourceType) -> [ObjectKey: JSONValue] {
        objects[resource] ?? [:]
    }

    /// Stores `object` (its metadata.resourceVersion set to the new revision) and tells the watches.
    @discardableResult
    mutating func put(_ resource: ResourceType, _ key: ObjectKey, _ object: JSONValue) -> JSONValue {
        revision += 1
        let stored = object.setting(path: ["metadata", "resourceVersion"], to: .string(String(revision)))
        let previous = objects[resource]?[key]
        objects[resource, default: [:]][key] = stored
        record(StoredChange(
            revision: revision, resource: resource, key: key, type: previous == nil ? "ADDED" : "MODIFIED",
            object: stored, previous: previous))
        return stored
    }

    /// Removes the object and tells the watches; returns its last state carrying the deletion's revision.
    @discardableResult
    mutating func remove(_ resource: ResourceType, _ key: ObjectKey) -> JSONValue? {
        guard let previous = objects[resource]?.removeValue(forKey: key) else { return nil }
        revision += 1
        let last = previous.setting(path: ["metadata", "resourceVersion"], to: .string(String(revision)))
        record(StoredChange(
            revision: revision, resource: resource, key: key, type: "DELETED", object: last, previous: previous))
        return last
    }

    private mutating func record(_ change: StoredChange) {
        history.append(change)
        if history.count > historyLimit { compact(to: history[history.count - historyLimit].revision) }
        for subscription in watches.values where subscription.filter.resource == change.resource {
            if let event = Self.event(for: change, through: subscription.filter) {
                subscription.continuation.yield(event)
            }
        }
    }

    /// The event a watch with `filter` sees for `change`, if any: an object entering the filter is
    /// ADDED, one leaving it DELETED (its previous state at the new revision), as the watch cache does.
    static func event(for change: StoredChange, through filter: ObjectFilter) -> WatchMessage? {
        let now = change.type != "DELETED" && filter.matches(change.object)
        let before = change.previous.map(filter.matches) ?? false
        switch (before, now) {
        case (false, true): return .event(type: "ADDED", object: change.object)
        case (true, true): return .event(type: "MODIFIED", object: change.object)
        case (true, false):
            let last = (change.type == "DELETED" ? change.object : change.previous!)
                .setting(path: ["metadata", "resourceVersion"], to: .string(String(change.revision)))
            return .event(type: "DELETED", object: last)
        case (false, false): return nil
        }
    }

    /// Forgets the changes up to `target`; watches and lists from before it get 410 Gone.
    mutating func compact(to target: Int64) {
        let target = min(target, revision)
        guard target > compactedRevision else { return }
        compactedRevision = target
        history.removeAll { $0.revision <= target }
    }

    /// The objects of `resource` as they were at `target` (which must not be compacted).
    func snapshot(_ resource: ResourceType, at target: Int64) throws(APIError) -> [ObjectKey: JSONValue] {
        guard target >= compactedRevision else { throw APIError.tooOldResourceVersion(target, compactedRevision) }
        var result = objects[resource] ?? [:]
        for change in history.reversed() where change.revision > target {
            guard change.resource == resource else { continue }
            result[change.key] = change.previous
        }
        return result
    }

    /// Registers a watch from `resourceVersion` (nil: the current state, sent as ADDED events first).
    /// Returns the stream and its id, or the 410 error for a compacted version.
    mutating func watch(
        _ filter: ObjectFilter, from resourceVersion: Int64?, bookmarks: Bool
    ) throws(APIError) -> (id: Int, stream: AsyncStream<WatchMessage>) {
        if let resourceVersion, resourceVersion < compactedRevision {
            throw APIError.tooOldResourceVersion(resourceVersion, compactedRevision)
        }
        let (stream, continuation) = AsyncStream<WatchMessage>.makeStream()
        if let resourceVersion {
            for change in history where change.revision > resourceVersion && change.resource == filter.resource {
                if let event = Self.event(for: change, through: filter) { continuation.yield(event) }
            }
        } else {
            for (_, object) in (objects[filter.resource] ?? [:]).sorted(by: { $0.key < $1.key })
            where filter.matches(object) {
                continuation.yield(.event(type: "ADDED", object: object))
            }
        }
        nextWatchID += 1
        watches[nextWatchID] = WatchSubscription(filter: filter, bookmarks: bookmarks, continuation: continuation)
        return (nextWatchID, stream)
    }

    mutating func endWatch(_ id: Int) {
        watches.removeValue(forKey: id)?.continuation.finish()
    }

    /// Closes every open watch (a fault, or shutdown).
    mutating func dropAllWatches() {
        for subscription in watches.values {
            subscription.continuation.yield(.close)
            subscription.continuation.finish()
        }
        watches.removeAll()
    }

    /// Sends a BOOKMARK at the current revision to every watch that asked for bookmarks.
    func sendBookmarks() {
        for subscription in watches.values where subscription.bookmarks {
            let resource = subscription.filter.resource
            let bookmark: JSONValue = [
                "kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion),
                "metadata": ["resourceVersion": .string(String(revision))],
            ]
            subscription.continuation.yield(.event(type: "BOOKMARK", object: bookmark))
        }
    }

    /// Sends `object` raw to the watches on `resource` as `type`, without storing it (a fault).
    func injectIntoWatches(_ resource: ResourceType, type: String, object: JSONValue) {
        for subscription in watches.values where subscription.filter.resource == resource {
            subscription.continuation.yield(.event(type: type, object: object))
        }
    }

    /// The number of open watches.
    var watchCount: Int { watches.count }
}
