import KubeAPI
import Logging
import Synchronization

/// Keeps a local, indexed copy of the objects of one kind that match a selector, as client-go's
/// reflector and informer do: a paged list (500 a page), then a watch from the list's
/// resourceVersion with bookmarks and a random `timeoutSeconds` in [5, 10) minutes; when a watch
/// ends it resumes from the last resourceVersion seen; 410 Gone lists again at once; other
/// failures wait ``InformerBackoff`` first. A new list turns into events against the store, so
/// objects that vanished while no watch was open are delivered as deletions, and nothing is
/// delivered twice.
///
/// ```swift
/// let pods = Informer(client: client, selector: .pods(onNode: "node-1"))
/// let events = pods.store.events()
/// async let running: Void = pods.run()
/// await pods.waitForSync()
/// ```
public final class Informer<Object: KubeResource>: Sendable {
    /// What the informer watches.
    public struct Selector: Sendable, Hashable {
        /// The namespace; nil: all namespaces (or a cluster-scoped kind).
        public var namespace: String?
        /// A label selector, e.g. `app=web`.
        public var labelSelector: String?
        /// A field selector, e.g. `spec.nodeName=node-1`.
        public var fieldSelector: String?

        /// A selector from its parts; everything by default.
        public init(namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil) {
            self.namespace = namespace
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
        }
    }

    /// The local copy, its indexes and its event streams.
    public let store: InformerStore<Object>
    /// What is watched.
    public let selector: Selector
    private let client: KubeClient
    private let pageSize: Int
    private let backoff: InformerBackoff
    private let watchTimeout: Range<Int>
    private let logger: Logger
    private struct SyncState {
        var synced = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var lastResourceVersion = ""
    }
    private let sync = Mutex(SyncState())

    /// An informer over `client`.
    ///
    /// - Parameters:
    ///   - indexers: index functions by name, for ``InformerStore/byIndex(_:_:)``.
    ///   - pageSize: the `limit` of each list page (client-go: 500).
    ///   - watchTimeout: the range `timeoutSeconds` is drawn from (client-go: 300..<600).
    public init(
        client: KubeClient, selector: Selector = Selector(), indexers: [String: InformerStore<Object>.IndexFunction] = [:],
        pageSize: Int = 500, backoff: InformerBackoff = InformerBackoff(), watchTimeout: Range<Int> = 300..<600,
        logger: Logger? = nil
    ) {
        self.client = client
        self.selector = selector
        store = InformerStore(indexers: indexers)
        self.pageSize = pageSize
        self.backoff = backoff
        self.watchTimeout = watchTimeout.isEmpty ? 300..<600 : watchTimeout
        self.logger = logger ?? Logger(label: "swiftlet.informer.\(Object.resource.plural)")
    }

    /// Whether the first list has been stored.
    public var hasSynced: Bool { sync.withLock { $0.synced } }

    /// The resourceVersion of the last list or event applied.
    public var lastSyncResourceVersion: String { sync.withLock { $0.lastResourceVersion } }

    /// Returns once the first list has been stored (or at once when the task is cancelled).
    public func waitForSync() async {
        let id = sync.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = sync.withLock { state -> Bool in
                    if state.synced || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            sync.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Lists and watches until the task is cancelled; then ends the store's event streams.
    public func run() async {
        var backoffState = InformerBackoff.State()
        var resumeFrom: String?
        while !Task.isCancelled {
            do {
                if resumeFrom == nil {
                    resumeFrom = try await listAll()
                }
                let started = client.clock.now()
                var events = 0
                let options = ListOptions(
                    labelSelector: selector.labelSelector, fieldSelector: selector.fieldSelector,
                    resourceVersion: resumeFrom, timeoutSeconds: Int.random(in: watchTimeout), allowWatchBookmarks: true)
                let stream = try await client.watch(
                    Object.self, namespace: selector.namespace, allNamespaces: selector.namespace == nil, options: options)
                for try await event in stream {
                    events += 1
                    switch event {
                    case .added(let object), .modified(let object): store.apply(object, present: true)
                    case .deleted(let object): store.apply(object, present: false)
                    case .bookmark: break
                    }
                    if !event.resourceVersion.isEmpty {
                        resumeFrom = event.resourceVersion
                        record(resourceVersion: event.resourceVersion)
                    }
                }
                if events == 0, client.clock.now() - started < .seconds(1) {
                    // A watch the server closes at once, again and again, must not spin.
                    try await client.clock.sleep(backoffState.next(backoff, now: client.clock.now()))
                }
            } catch let error as KubeAPIError where error.isGone {
                logger.info("\(Object.resource.plural): \(error.status.message ?? "resourceVersion too old"); listing again")
                resumeFrom = nil
            } catch {
                if Task.isCancelled || error is CancellationError { break }
                if error is KubeAPIError || error is KubeDecodingError { resumeFrom = nil }
                let wait = backoffState.next(backoff, now: client.clock.now())
                logger.warning("\(Object.resource.plural): list/watch failed: \(error); trying again in \(wait)")
                do { try await client.clock.sleep(wait) } catch { break }
            }
        }
        store.finish()
    }

    /// Lists every page and replaces the store's content; returns the list's resourceVersion.
    private func listAll() async throws -> String {
        var options = ListOptions(
            labelSelector: selector.labelSelector, fieldSelector: selector.fieldSelector, limit: pageSize)
        var items: [Object] = []
        var resourceVersion = ""
        while true {
            let page: KubeList<Object>
            do {
                page = try await client.list(
                    Object.self, namespace: selector.namespace, allNamespaces: selector.namespace == nil, options: options)
            } catch let error as KubeAPIError where error.isGone && options.continueToken != nil {
                // The continue token expired between pages: one list without paging, as client-go does.
                options.continueToken = nil
                options.limit = nil
                items = []
                continue
            }
            items += page.items
            resourceVersion = page.resourceVersion
            guard let next = page.continueToken else { break }
            options.continueToken = next
        }
        store.replace(with: items)
        record(resourceVersion: resourceVersion)
        let waiters = sync.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.synced = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
        return resourceVersion
    }

    private func record(resourceVersion: String) {
        sync.withLock { $0.lastResourceVersion = resourceVersion }
    }
}

extension Informer.Selector {
    /// The pods bound to `node` (`spec.nodeName=<node>`), in all namespaces: the kubelet's pod source.
    public static func pods(onNode node: String) -> Self {
        Self(fieldSelector: "spec.nodeName=" + node)
    }

    /// The node named `name` (`metadata.name=<name>`).
    public static func node(named name: String) -> Self {
        Self(fieldSelector: "metadata.name=" + name)
    }
}
