import KubeAPI
import Synchronization

/// The mirror pods the API server holds for this node, by `namespace/name`, as last seen by the
/// `api` source; readers hear of every change.
public final class MirrorPodRegistry: Sendable {
    private struct State {
        var pods: [String: CoreV1.Pod] = [:]
        var subscribers: [Int: AsyncStream<Void>.Continuation] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Replaces the known mirror pods.
    public func replace(with pods: [CoreV1.Pod]) {
        let byName = Dictionary(pods.map { (MirrorPods.fullName($0), $0) }, uniquingKeysWith: { $1 })
        let subscribers = state.withLock { state -> [AsyncStream<Void>.Continuation] in
            if state.pods == byName { return [] }
            state.pods = byName
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield() }
    }

    /// The mirror pod of this `namespace/name`.
    public func pod(named fullName: String) -> CoreV1.Pod? { state.withLock { $0.pods[fullName] } }

    /// Every known mirror pod.
    public var all: [CoreV1.Pod] { state.withLock { Array($0.pods.values) } }

    /// A tick after each change (coalesced).
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let key = state.withLock { state in
            let key = state.next
            state.next += 1
            state.subscribers[key] = continuation
            return key
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: key) } }
        return stream
    }
}
