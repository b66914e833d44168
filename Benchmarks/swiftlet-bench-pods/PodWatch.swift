import KubeAPI
import KubeClient
import Synchronization

/// One watch on pods, read by a task of its own: when each pod was first delivered Running
/// with Ready=True, and which pods were delivered DELETED. Times are taken the moment the
/// event is decoded, on the continuous clock.
final class PodWatch: Sendable {
    private struct State {
        var readyAt: [String: ContinuousClock.Instant] = [:]
        var readyWallMilliseconds: [String: Int64] = [:]
        var deleted: Set<String> = []
        var failure: String?
    }

    private let state = Mutex(State())
    private let reader: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Lists pods in `namespace` for a resourceVersion, then watches from it, so no event after
    /// this call returns is missed.
    init(client: KubeClient, namespace: String) async throws {
        let list = try await client.list(CoreV1.Pod.self, namespace: namespace)
        let stream = try await client.watch(
            CoreV1.Pod.self, namespace: namespace,
            options: ListOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 3600))
        // The task keeps the watch alive until ``cancel()``.
        let task = Task { await self.read(stream) }
        reader.withLock { $0 = task }
    }

    private func read(_ stream: KubeWatchStream<CoreV1.Pod>) async {
        do {
            for try await event in stream {
                let now = ContinuousClock.now
                let wall = wallMilliseconds()
                switch event {
                case .added(let pod), .modified(let pod):
                    guard let name = pod.metadata?.name, Self.isRunningAndReady(pod) else { continue }
                    state.withLock {
                        if $0.readyAt[name] == nil {
                            $0.readyAt[name] = now
                            $0.readyWallMilliseconds[name] = wall
                        }
                    }
                case .deleted(let pod):
                    guard let name = pod.metadata?.name else { continue }
                    state.withLock { _ = $0.deleted.insert(name) }
                case .bookmark:
                    continue
                }
            }
            state.withLock { $0.failure = "the pod watch ended" }
        } catch {
            state.withLock { $0.failure = "the pod watch failed: \(error)" }
        }
    }

    /// The upstream pod startup SLO's end point: phase Running and condition Ready True.
    static func isRunningAndReady(_ pod: CoreV1.Pod) -> Bool {
        guard let status = pod.status, status.phase == "Running" else { return false }
        return status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
    }

    /// When `name` was first seen Running and Ready, if it was.
    func readyAt(_ name: String) throws -> ContinuousClock.Instant? {
        try state.withLock {
            if let instant = $0.readyAt[name] { return instant }
            if let failure = $0.failure { throw BenchError(failure) }
            return nil
        }
    }

    /// When `name` was first seen Running and Ready, in ms since the epoch (the agent's log clock).
    func readyWallMilliseconds(_ name: String) -> Int64? {
        state.withLock { $0.readyWallMilliseconds[name] }
    }

    /// Whether `name` was seen DELETED.
    func isDeleted(_ name: String) throws -> Bool {
        try state.withLock {
            if $0.deleted.contains(name) { return true }
            if let failure = $0.failure { throw BenchError(failure) }
            return false
        }
    }

    /// Stops reading.
    func cancel() {
        reader.withLock { $0?.cancel() }
    }
}
