/// Keeps the most recent `KubeletEvent`s (a bounded ring, newest last); repeated identical events
/// are kept once. With an API server, every event (repeats included: the cluster's correlator
/// counts them) is also handed to the sink set with ``forward(to:)``.
public actor EventRecorder {
    private var events: [KubeletEvent] = []
    private let capacity: Int
    private var sink: (@Sendable (KubeletEvent) -> Void)?

    public init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    /// Records an event unless it is the same as one already kept.
    public func record(_ event: KubeletEvent) {
        sink?(event)
        if events.contains(event) { return }
        events.append(event)
        if events.count > capacity { events.removeFirst(events.count - capacity) }
    }

    /// Hands every event recorded from now on to `sink` as well (it must not wait).
    public func forward(to sink: @escaping @Sendable (KubeletEvent) -> Void) {
        self.sink = sink
    }

    /// The kept events, oldest first.
    public var all: [KubeletEvent] { events }

    /// The kept events about one object.
    public func events(for object: String) -> [KubeletEvent] { events.filter { $0.object == object } }
}
