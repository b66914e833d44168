import ContainerRuntime
import Logging

/// Turns the runtime's container events into `PodLifecycleEvent`s (upstream's evented PLEG),
/// and relists every `relistPeriod` as a fallback (upstream's generic PLEG) to catch anything the
/// event stream lost, such as changes while the agent was down.
public actor PodLifecycleEventGenerator {
    private let runtime: any ContainerRuntime
    private let relistPeriod: Duration
    private let logger: Logger
    /// Last known state of each container, and its pod's UID.
    private var known: [String: (uid: String, state: RuntimeContainerState)] = [:]
    private let continuation: AsyncStream<PodLifecycleEvent>.Continuation
    /// The events, for one consumer.
    public nonisolated let events: AsyncStream<PodLifecycleEvent>

    public init(runtime: any ContainerRuntime, relistPeriod: Duration = .seconds(10), logger: Logger = Logger(label: "swiftlet.kubelet.pleg")) {
        self.runtime = runtime
        self.relistPeriod = relistPeriod
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: PodLifecycleEvent.self)
    }

    /// Follows the runtime's events and relists until cancelled.
    public func run() async {
        let stream = await runtime.containerEvents()
        await relist()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in stream { await self.handle(event) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.relistPeriod)
                    if Task.isCancelled { break }
                    await self.relist()
                }
            }
            await group.next()
            group.cancelAll()
        }
        continuation.finish()
    }

    private func handle(_ event: ContainerEvent) {
        let uid = event.status?.labels[RuntimeLabels.podUID] ?? known[event.containerID]?.uid
        guard let uid else { return }
        let kind: PodLifecycleEvent.Kind
        switch event.kind {
        case .created:
            known[event.containerID] = (uid, .created)
            kind = .containerChanged
        case .started:
            known[event.containerID] = (uid, .running)
            kind = .containerStarted
        case .stopped:
            known[event.containerID] = (uid, .exited)
            kind = .containerDied
        case .deleted:
            known[event.containerID] = nil
            kind = .containerRemoved
        }
        continuation.yield(PodLifecycleEvent(podUID: uid, kind: kind, containerID: event.containerID))
    }

    /// Lists every container and reports those whose state differs from what was last known.
    public func relist() async {
        let containers: [RuntimeContainer]
        do {
            containers = try await runtime.listContainers(filter: ContainerFilter())
        } catch {
            logger.warning("relist failed", metadata: ["error": "\(error)"])
            return
        }
        var seen: Set<String> = []
        for container in containers {
            guard let uid = container.labels[RuntimeLabels.podUID] else { continue }
            seen.insert(container.id)
            let old = known[container.id]?.state
            if old == container.state { continue }
            known[container.id] = (uid, container.state)
            let kind: PodLifecycleEvent.Kind = switch container.state {
            case .running: .containerStarted
            case .exited: .containerDied
            case .created, .unknown: .containerChanged
            }
            continuation.yield(PodLifecycleEvent(podUID: uid, kind: kind, containerID: container.id))
        }
        for (id, entry) in known where !seen.contains(id) {
            known[id] = nil
            continuation.yield(PodLifecycleEvent(podUID: entry.uid, kind: .containerRemoved, containerID: id))
        }
    }
}
