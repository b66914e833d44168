import KubeAPI
import Synchronization

/// What to do with an event after correlation.
public struct EventCorrelation: Sendable, Hashable {
    /// The event to write (possibly an aggregate, possibly with a raised count).
    public var event: CoreV1.Event
    /// When the event repeats one already written: the strategic merge patch of `count`,
    /// `lastTimestamp` and `message` to send instead of a create.
    public var patch: JSONValue?
    /// The spam filter dropped the event.
    public var skip: Bool
}

/// client-go's `EventCorrelator`: aggregation of similar events (same source, object, type and
/// reason; 10 distinct messages within 10 minutes turn into one aggregate event
/// "(combined from similar events): …"), de-duplication of identical events (count + 1, the first
/// timestamp kept, a patch instead of a create), and a spam filter per source and object (a
/// token bucket of 25 refilled one per 5 minutes).
public final class EventCorrelator: Sendable {
    /// Upstream's defaults.
    public static let maxCacheEntries = 4096
    public static let aggregateMaxEvents = 10
    public static let aggregateInterval: Duration = .seconds(600)
    public static let spamBurst = 25
    public static let spamQPS = 1.0 / 300.0

    private struct AggregateRecord: Sendable {
        var localKeys: Set<String>
        var lastTimestamp: Int64
    }

    private struct EventLog: Sendable {
        var count: Int32
        var firstTimestamp: MetaV1.Time?
        var name: String
        var resourceVersion: String?
    }

    private struct State: Sendable {
        var aggregates = LRUCache<String, AggregateRecord>(capacity: EventCorrelator.maxCacheEntries)
        var logs = LRUCache<String, EventLog>(capacity: EventCorrelator.maxCacheEntries)
        var spam = LRUCache<String, TokenBucket>(capacity: EventCorrelator.maxCacheEntries)
    }

    private let clock: any KubeletClock
    private let maxEvents: Int
    private let interval: Int64
    private let burst: Int
    private let qps: Double
    private let state = Mutex(State())

    /// Creates a correlator with upstream's limits unless told otherwise.
    public init(
        clock: any KubeletClock = SystemKubeletClock(), aggregateMaxEvents: Int = EventCorrelator.aggregateMaxEvents,
        aggregateInterval: Duration = EventCorrelator.aggregateInterval, spamBurst: Int = EventCorrelator.spamBurst,
        spamQPS: Double = EventCorrelator.spamQPS
    ) {
        self.clock = clock
        self.maxEvents = aggregateMaxEvents
        self.interval = NodeTime.nanoseconds(aggregateInterval)
        self.burst = spamBurst
        self.qps = spamQPS
    }

    /// Aggregates, de-duplicates and filters one event (upstream's `EventCorrelate`).
    public func correlate(_ event: CoreV1.Event) -> EventCorrelation {
        let now = clock.nowNanoseconds()
        return state.withLock { state in
            let (aggregated, key) = aggregate(event, now: now, state: &state)
            let (observed, patch) = observe(aggregated, key: key, state: &state)
            let skip = filter(observed, now: now, state: &state)
            return EventCorrelation(event: observed, patch: skip ? nil : patch, skip: skip)
        }
    }

    /// Remembers what the server returned for a written event, so the next repeat patches it.
    public func updateState(_ event: CoreV1.Event) {
        state.withLock { state in
            state.logs.add(
                Self.eventKey(event),
                EventLog(
                    count: event.count ?? 1, firstTimestamp: event.firstTimestamp, name: event.metadata.name ?? "",
                    resourceVersion: event.metadata.resourceVersion))
        }
    }

    private func aggregate(_ event: CoreV1.Event, now: Int64, state: inout State) -> (CoreV1.Event, String) {
        let eventKey = Self.eventKey(event)
        let aggregateKey = Self.aggregateKey(event)
        var record = state.aggregates.get(aggregateKey) ?? AggregateRecord(localKeys: [], lastTimestamp: 0)
        if now - record.lastTimestamp > interval { record = AggregateRecord(localKeys: [], lastTimestamp: now) }
        record.localKeys.insert(event.message ?? "")
        record.lastTimestamp = now
        guard record.localKeys.count >= maxEvents else {
            state.aggregates.add(aggregateKey, record)
            return (event, eventKey)
        }
        if let any = record.localKeys.first { record.localKeys.remove(any) }
        state.aggregates.add(aggregateKey, record)
        let time = NodeTime.time(now)
        let name = (event.involvedObject.name ?? "") + "." + String(now, radix: 16)
        let combined = CoreV1.Event(
            count: 1, firstTimestamp: time, involvedObject: event.involvedObject, lastTimestamp: time,
            message: "(combined from similar events): " + (event.message ?? ""),
            metadata: MetaV1.ObjectMeta(name: name, namespace: event.metadata.namespace), reason: event.reason,
            reportingComponent: event.reportingComponent, reportingInstance: event.reportingInstance,
            source: event.source, type: event.type)
        return (combined, aggregateKey)
    }

    private func observe(_ event: CoreV1.Event, key: String, state: inout State) -> (CoreV1.Event, JSONValue?) {
        var observed = event
        var patch: JSONValue?
        if let last = state.logs.get(key), last.count > 0 {
            observed.metadata.name = last.name
            observed.metadata.resourceVersion = last.resourceVersion
            observed.firstTimestamp = last.firstTimestamp
            observed.count = last.count + 1
            var before = observed
            before.count = 0
            before.lastTimestamp = MetaV1.Time(secondsSinceEpoch: 0)
            before.message = ""
            patch = StrategicMergePatch.event.twoWay(original: before.encoded(), modified: observed.encoded())
        }
        state.logs.add(
            key,
            EventLog(
                count: observed.count ?? 1, firstTimestamp: observed.firstTimestamp, name: observed.metadata.name ?? "",
                resourceVersion: observed.metadata.resourceVersion))
        return (observed, patch)
    }

    private func filter(_ event: CoreV1.Event, now: Int64, state: inout State) -> Bool {
        let key = Self.spamKey(event)
        var bucket = state.spam.get(key) ?? TokenBucket(qps: qps, burst: burst, nowNanoseconds: now)
        let accepted = bucket.tryAccept(nowNanoseconds: now)
        state.spam.add(key, bucket)
        return !accepted
    }

    private static func objectParts(_ event: CoreV1.Event) -> [String] {
        let object = event.involvedObject
        return [
            event.source?.component ?? "", event.source?.host ?? "", object.kind ?? "", object.namespace ?? "",
            object.name ?? "",
        ]
    }

    /// Identical events: everything that names the event, including the message.
    static func eventKey(_ event: CoreV1.Event) -> String {
        let object = event.involvedObject
        return (objectParts(event) + [
            object.fieldPath ?? "", object.uid ?? "", object.apiVersion ?? "", event.type ?? "", event.reason ?? "",
            event.message ?? "",
        ]).joined(separator: "\u{1}")
    }

    /// Similar events: the same but for the message.
    static func aggregateKey(_ event: CoreV1.Event) -> String {
        let object = event.involvedObject
        return (objectParts(event) + [
            object.uid ?? "", object.apiVersion ?? "", event.type ?? "", event.reason ?? "",
            event.reportingComponent ?? "", event.reportingInstance ?? "",
        ]).joined(separator: "\u{1}")
    }

    /// The spam filter's key: source and object.
    static func spamKey(_ event: CoreV1.Event) -> String {
        let object = event.involvedObject
        return (objectParts(event) + [object.uid ?? "", object.apiVersion ?? ""]).joined(separator: "\u{1}")
    }
}
