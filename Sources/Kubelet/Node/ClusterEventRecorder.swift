import KubeAPI
import Logging
import ServiceLifecycle

/// Sends the kubelet's events to the API server as `core/v1` Events, as client-go's event
/// broadcaster does for the kubelet: each `KubeletEvent` becomes an Event about its object
/// (source `kubelet` on this host), goes through the `EventCorrelator`, and is created, or
/// patched when it repeats one already written; when the server cannot be reached it is tried
/// up to 12 times, 10 s apart (the first wait randomised); an answer from the server that
/// refuses it drops it.
public actor ClusterEventRecorder: Service {
    /// Upstream's `maxTriesPerEvent` and sleep between tries.
    public static let maxTriesPerEvent = 12
    public static let retrySleep: Duration = .seconds(10)

    public nonisolated let nodeName: String
    public nonisolated let correlator: EventCorrelator
    private let writer: any EventWriter
    private let resolve: @Sendable (KubeletEvent) -> CoreV1.ObjectReference?
    private let clock: any KubeletClock
    private let sleeper: any LoopSleeper
    private let logger: Logger
    private let stream: AsyncStream<KubeletEvent>
    private let continuation: AsyncStream<KubeletEvent>.Continuation

    /// Creates the recorder. `resolve` names the object an event is about (nil: the event stays
    /// local, as for a manifest file); the default is `defaultReference(nodeName:)`.
    public init(
        nodeName: String, writer: any EventWriter, correlator: EventCorrelator? = nil,
        resolve: (@Sendable (KubeletEvent) -> CoreV1.ObjectReference?)? = nil,
        clock: any KubeletClock = SystemKubeletClock(), sleeper: any LoopSleeper = TaskLoopSleeper(),
        queueLimit: Int = 1000, logger: Logger = Logger(label: "swiftlet.events")
    ) {
        self.nodeName = nodeName
        self.writer = writer
        self.correlator = correlator ?? EventCorrelator(clock: clock)
        self.resolve = resolve ?? Self.defaultReference(nodeName: nodeName)
        self.clock = clock
        self.sleeper = sleeper
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: KubeletEvent.self, bufferingPolicy: .bufferingOldest(queueLimit))
    }

    /// The node itself (`Node` named and with UID the node name, as the kubelet's node reference)
    /// for events about `nodeName`; a Pod for `namespace/name`; nothing otherwise.
    public static func defaultReference(nodeName: String) -> @Sendable (KubeletEvent) -> CoreV1.ObjectReference? {
        { event in
            if event.object == nodeName { return CoreV1.ObjectReference(kind: "Node", name: nodeName, namespace: "", uid: nodeName) }
            let parts = event.object.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            return CoreV1.ObjectReference(apiVersion: "v1", kind: "Pod", name: String(parts[1]), namespace: String(parts[0]))
        }
    }

    /// Queues an event for sending; never waits (a full queue drops the newest).
    public nonisolated func record(_ event: KubeletEvent) {
        continuation.yield(event)
    }

    /// Sends queued events until cancelled.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await event in self.stream {
                await self.publish(event)
            }
        }
    }

    /// The Event the kubelet makes for `event` (upstream's `makeEvent`), or nil when it is about
    /// no API object.
    public func makeEvent(_ event: KubeletEvent) -> CoreV1.Event? {
        guard let reference = resolve(event) else { return nil }
        let now = clock.nowNanoseconds()
        let time = NodeTime.time(now)
        let namespace = (reference.namespace ?? "").isEmpty ? "default" : reference.namespace
        return CoreV1.Event(
            count: 1, firstTimestamp: time, involvedObject: reference, lastTimestamp: time, message: event.message,
            metadata: MetaV1.ObjectMeta(name: (reference.name ?? "") + "." + String(now, radix: 16), namespace: namespace),
            reason: event.reason, reportingComponent: "kubelet", reportingInstance: nodeName,
            source: CoreV1.EventSource(component: "kubelet", host: nodeName), type: event.kind.rawValue)
    }

    /// Correlates and writes one event now (upstream's `recordToSink`).
    public func publish(_ event: KubeletEvent) async {
        guard let made = makeEvent(event) else { return }
        let result = correlator.correlate(made)
        if result.skip {
            logger.debug("event dropped by the spam filter", metadata: ["object": "\(event.object)", "reason": "\(event.reason)"])
            return
        }
        for attempt in 1...Self.maxTriesPerEvent {
            if await write(result) { return }
            if attempt == Self.maxTriesPerEvent { break }
            let wait = attempt == 1 ? Self.retrySleep * Double.random(in: 0..<1) : Self.retrySleep
            do { try await sleeper.sleep(for: wait) } catch { return }
        }
        logger.error("unable to write event (retry limit exceeded)", metadata: ["object": "\(event.object)", "reason": "\(event.reason)"])
    }

    /// One write; whether the event is done with (written, or refused by the server).
    private func write(_ result: EventCorrelation) async -> Bool {
        var event = result.event
        do {
            var written: CoreV1.Event?
            if let patch = result.patch, (event.count ?? 1) > 1 {
                do {
                    written = try await writer.patchEvent(
                        namespace: event.metadata.namespace ?? "default", name: event.metadata.name ?? "", patch: patch)
                } catch let failure as KubeAPIFailure where failure.reason == .notFound {
                    written = nil
                }
            }
            if written == nil {
                event.metadata.resourceVersion = nil
                written = try await writer.createEvent(event)
            }
            if let written { correlator.updateState(written) }
            return true
        } catch let failure as KubeAPIFailure where failure.isServerAnswer {
            if failure.reason != .alreadyExists {
                logger.error("server rejected event (will not retry)", metadata: ["event": "\(event.metadata.name ?? "")", "error": "\(failure)"])
            }
            return true
        } catch {
            logger.warning("unable to write event (may retry after sleeping)", metadata: ["error": "\(error)"])
            return false
        }
    }
}
