/// Keeps the most recent `KubeletEvent`s (a bounded ring, newest last); repeated identical events
/// are recorded once.
public actor EventRecorder {
    private var events: [KubeletEvent] = []
    private let capacity: Int

    public init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    /// Records an event unless it is the same as one already kept.
    public func record(_ event: KubeletEvent) {
        if events.contains(event) { return }
        events.append(event)
        if events.count > capacity { events.removeFirst(events.count - capacity) }
    }

    /// The kept events, oldest first.
    public var all: [KubeletEvent] { events }

    /// The kept events about one object.
    public func events(for object: String) -> [KubeletEvent] { events.filter { $0.object == object } }
}
