import Synchronization

/// The latest probe status of every probed container, which the kubelet core reads (upstream's
/// `results.Manager`): readiness feeds the Ready condition and the Services' endpoints, a
/// liveness or startup failure restarts the container.
public final class ProbeResults: Sendable {
    /// One change of a container's status.
    public struct Update: Sendable, Equatable {
        public var podUID: String
        public var containerName: String
        public var containerID: String
        public var kind: ProbeKind
        public var status: ProbeStatus
        /// The probe's output or failure reason.
        public var message: String
    }

    private struct Key: Hashable {
        var containerID: String
        var kind: ProbeKind
    }

    private struct State {
        var statuses: [Key: ProbeStatus] = [:]
        var subscribers: [Int: AsyncStream<Update>.Continuation] = [:]
        var nextSubscriber = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// The status of a container's probe, or `nil` when it has none.
    public func status(containerID: String, kind: ProbeKind) -> ProbeStatus? {
        state.withLock { $0.statuses[Key(containerID: containerID, kind: kind)] }
    }

    /// Records a status; subscribers hear of it only when it changed.
    public func set(_ update: Update) {
        let subscribers: [AsyncStream<Update>.Continuation] = state.withLock { state in
            let key = Key(containerID: update.containerID, kind: update.kind)
            guard state.statuses[key] != update.status else { return [] }
            state.statuses[key] = update.status
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(update) }
    }

    /// Forgets a container (it was removed).
    public func remove(containerID: String) {
        state.withLock { state in
            for kind in ProbeKind.allCases { state.statuses[Key(containerID: containerID, kind: kind)] = nil }
        }
    }

    /// The changes from now on; the stream ends when the consumer stops iterating.
    public func updates() -> AsyncStream<Update> {
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self, bufferingPolicy: .unbounded)
        let id = state.withLock { state in
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
}
