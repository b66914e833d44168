import ContainerRuntime
import KubeAPI
import Logging
import ServiceLifecycle

/// Registers the node and keeps its status current, as upstream's `kubelet_node_status.go`:
/// register (create; on AlreadyExists reconcile the existing node), then every
/// `updateFrequency` compute the status and patch it when it changed or when `reportFrequency`
/// has passed since the last write, each round tried up to `statusUpdateRetries` times. The
/// node's `spec.podCIDRs` go to `onPodCIDRs` when they first appear or change.
public actor NodeStatusManager: Service {
    /// Upstream's `nodeStatusUpdateRetry`.
    public static let statusUpdateRetries = 5
    /// Registration back-off: 100 ms doubling to 7 s.
    public static let registrationInitialBackoff: Duration = .milliseconds(100)
    public static let registrationMaximumBackoff: Duration = .seconds(7)

    public nonisolated let builder: NodeStatusBuilder
    private let client: any NodeClient
    private let machine: any MachineInfoSource
    private let health: @Sendable () async -> NodeHealth
    private let onPodCIDRs: @Sendable ([String]) async -> Void
    private let onEvent: @Sendable (KubeletEvent) async -> Void
    private let images: @Sendable () async -> [Image]?
    private let updateFrequency: Duration
    private let reportFrequency: Duration
    private let clock: any KubeletClock
    private let sleeper: any LoopSleeper
    private let logger: Logger

    private var registered = false
    private var lastReportNanoseconds: Int64?
    private var podCIDRs: [String]?
    private var lastMachine: MachineInfo?
    /// The node as the server last returned it.
    public private(set) var latestNode: CoreV1.Node?

    /// Creates the manager. `health` is asked for the runtime's and the network's state on each
    /// round; `onEvent` receives the node's condition events; `images` lists the runtime's images
    /// for `status.images` (nil: the list failed, reported as none, as upstream).
    public init(
        builder: NodeStatusBuilder, client: any NodeClient, machine: any MachineInfoSource,
        health: @escaping @Sendable () async -> NodeHealth = { .healthy },
        onPodCIDRs: @escaping @Sendable ([String]) async -> Void = { _ in },
        onEvent: @escaping @Sendable (KubeletEvent) async -> Void = { _ in },
        images: @escaping @Sendable () async -> [Image]? = { [] },
        updateFrequency: Duration = .seconds(10), reportFrequency: Duration = .seconds(300),
        registerNode: Bool = true,
        clock: any KubeletClock = SystemKubeletClock(), sleeper: any LoopSleeper = TaskLoopSleeper(),
        logger: Logger = Logger(label: "swiftlet.node-status")
    ) {
        self.builder = builder
        self.client = client
        self.machine = machine
        self.health = health
        self.onPodCIDRs = onPodCIDRs
        self.onEvent = onEvent
        self.images = images
        self.updateFrequency = updateFrequency
        self.reportFrequency = reportFrequency
        self.clock = clock
        self.sleeper = sleeper
        self.logger = logger
        // `registerNode: false` (upstream's flag): someone else creates the Node; only its
        // status is kept.
        registered = !registerNode
    }

    private var nodeName: String { builder.settings.nodeName }

    /// Registers, then syncs the status every `updateFrequency` until cancelled.
    public func run() async throws {
        try await runUntilShutdown {
            try await self.loop()
        }
    }

    private func loop() async throws {
        try await syncNodeStatus()
        try await fastStatusUpdateUntilReady()
        while !Task.isCancelled {
            try await sleeper.sleep(for: updateFrequency)
            try await syncNodeStatus()
        }
    }

    /// Upstream's `fastStatusUpdateOnce`: after start, while the node is not Ready, check every
    /// 100 ms and write the status as soon as it would say Ready, rather than waiting for the next
    /// round; gives up after `nodeReadyGracePeriod` (2 minutes).
    public func fastStatusUpdateUntilReady() async throws {
        let deadline = clock.nowNanoseconds() + NodeTime.nanoseconds(Self.nodeReadyGracePeriod)
        while !isReportedReady {
            if clock.nowNanoseconds() >= deadline {
                await updateNodeStatus()
                return
            }
            try await sleeper.sleep(for: Self.fastStatusUpdatePeriod)
            guard let info = try? readMachine() else { continue }
            if builder.readinessProblems(health: await health(), capacity: builder.capacity(machine: info)).isEmpty {
                await updateNodeStatus()
            }
        }
    }

    /// Upstream's fast update period and how long it lasts at most.
    public static let fastStatusUpdatePeriod: Duration = .milliseconds(100)
    public static let nodeReadyGracePeriod: Duration = .seconds(120)

    /// Whether the server's node, as last seen, is Ready.
    private var isReportedReady: Bool {
        latestNode?.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }

    /// One round: registration if not yet done (waiting with back-off until it succeeds), then a
    /// status update.
    public func syncNodeStatus() async throws {
        if !registered { try await registerWithAPIServer() }
        await updateNodeStatus()
    }

    /// Tries registration until it succeeds, sleeping 100 ms doubling to 7 s before each try.
    public func registerWithAPIServer() async throws {
        var step = Self.registrationInitialBackoff
        while !registered {
            try await sleeper.sleep(for: step)
            step = min(step * 2, Self.registrationMaximumBackoff)
            if await tryRegister() { registered = true }
        }
    }

    /// One registration attempt: create the node; on AlreadyExists get it and reconcile the
    /// attach/detach annotation, the default labels and the huge page resources, patching when
    /// any changed. Returns whether the node is registered.
    public func tryRegister() async -> Bool {
        let initial: CoreV1.Node
        do {
            let info = try readMachine()
            let (node, events) = builder.initialNode(machine: info, health: await health(), nowNanoseconds: clock.nowNanoseconds())
            initial = node
            // As upstream, the setters' events come with building the node, whether or not it is new.
            for event in events { await onEvent(event.kubeletEvent(nodeName: nodeName)) }
            do {
                latestNode = try await client.createNode(node)
                logger.info("registered node", metadata: ["node": "\(nodeName)"])
                return true
            } catch let failure as KubeAPIFailure where failure.reason == .alreadyExists {
                // Reconciled below.
            }
        } catch {
            logger.warning("unable to register node", metadata: ["node": "\(nodeName)", "error": "\(error)"])
            return false
        }
        do {
            let existing = try await client.getNode(named: nodeName)
            var reconciled = existing
            let changed = reconcile(&reconciled, with: initial)
            logger.info("node was previously registered", metadata: ["node": "\(nodeName)"])
            if changed {
                let patch = StrategicMergePatch.node.twoWay(original: existing.encoded(), modified: reconciled.encoded())
                latestNode = try await client.patchNodeStatus(named: nodeName, patch: patch)
            } else {
                latestNode = existing
            }
            return true
        } catch {
            logger.warning("unable to reconcile the registered node", metadata: ["node": "\(nodeName)", "error": "\(error)"])
            return false
        }
    }

    /// Brings an existing node in line with the one this agent would register; whether anything changed.
    func reconcile(_ existing: inout CoreV1.Node, with initial: CoreV1.Node) -> Bool {
        var changed = false
        var metadata = existing.metadata ?? MetaV1.ObjectMeta()
        // The attach/detach annotation follows the configuration.
        let key = NodeStatusBuilder.controllerManagedAttachDetachAnnotation
        let wanted = initial.metadata?.annotations?[key]
        if metadata.annotations?[key] != wanted {
            var annotations = metadata.annotations ?? [:]
            annotations[key] = wanted
            metadata.annotations = annotations.isEmpty ? nil : annotations
            changed = true
        }
        var labels = metadata.labels ?? [:]
        for label in NodeStatusBuilder.defaultLabelKeys where labels[label] != initial.metadata?.labels?[label] {
            labels[label] = initial.metadata?.labels?[label]
            changed = true
        }
        metadata.labels = labels.isEmpty ? nil : labels
        existing.metadata = metadata
        // Huge page sizes the machine no longer has leave capacity and allocatable; others take the new values.
        var status = existing.status ?? CoreV1.NodeStatus()
        let wantedCapacity = initial.status?.capacity ?? [:]
        let wantedAllocatable = initial.status?.allocatable ?? [:]
        // A node without capacity or allocatable takes the new ones whole (`updateDefaultResources`).
        if status.capacity == nil, !wantedCapacity.isEmpty {
            status.capacity = wantedCapacity
            changed = true
        }
        if status.allocatable == nil, !wantedAllocatable.isEmpty {
            status.allocatable = wantedAllocatable
            changed = true
        }
        for field in [\CoreV1.NodeStatus.capacity, \CoreV1.NodeStatus.allocatable] {
            let source = field == \CoreV1.NodeStatus.capacity ? wantedCapacity : wantedAllocatable
            var values = status[keyPath: field] ?? [:]
            for name in Set(values.keys).union(source.keys) where name.hasPrefix("hugepages-") && values[name] != source[name] {
                values[name] = source[name]
                changed = true
            }
            status[keyPath: field] = values
        }
        existing.status = status
        return changed
    }

    /// Writes the status, tried up to `statusUpdateRetries` times (upstream's `updateNodeStatus`).
    public func updateNodeStatus() async {
        for attempt in 0..<Self.statusUpdateRetries {
            do {
                try await tryUpdateNodeStatus()
                return
            } catch {
                logger.warning(
                    "error updating node status, will retry",
                    metadata: ["node": "\(nodeName)", "attempt": "\(attempt + 1)", "error": "\(error)"])
            }
        }
        logger.error("update node status exceeds retry count", metadata: ["node": "\(nodeName)"])
    }

    /// One status write: get the node, hand on changed pod CIDRs, compute the status, and patch
    /// it when it changed or the report interval has passed.
    public func tryUpdateNodeStatus() async throws {
        let original = try await client.getNode(named: nodeName)
        latestNode = original
        var podCIDRChanged = false
        if let cidr = original.spec?.podCIDR, !cidr.isEmpty {
            let cidrs = original.spec?.podCIDRs ?? [cidr]
            if cidrs != podCIDRs {
                podCIDRs = cidrs
                podCIDRChanged = true
                logger.info("node pod CIDRs", metadata: ["node": "\(nodeName)", "podCIDRs": "\(cidrs.joined(separator: ","))"])
                await onPodCIDRs(cidrs)
            }
        }
        var node = original
        let info = try readMachine()
        let events = builder.update(&node.status, machine: info, health: await health(), nowNanoseconds: clock.nowNanoseconds())
        builder.setImages(&node.status, images: await images())
        for event in events { await onEvent(event.kubeletEvent(nodeName: nodeName)) }
        let labelsMissing = requiredLabelsMissing(&node, machine: info)
        let now = clock.nowNanoseconds()
        if let last = lastReportNanoseconds, now < last + NodeTime.nanoseconds(reportFrequency),
            !podCIDRChanged, !labelsMissing, !Self.statusHasChanged(original.status, node.status)
        {
            return
        }
        let patch = StrategicMergePatch.node.twoWay(original: original.encoded(), modified: node.encoded())
        latestNode = try await client.patchNodeStatus(named: nodeName, patch: patch)
        lastReportNanoseconds = now
    }

    /// Upstream re-sets the OS and architecture labels when someone removed or changed them.
    private func requiredLabelsMissing(_ node: inout CoreV1.Node, machine: MachineInfo) -> Bool {
        let wanted = [NodeStatusBuilder.osLabel: machine.operatingSystem, NodeStatusBuilder.archLabel: machine.architecture]
        var labels = node.metadata?.labels ?? [:]
        var missing = false
        for (key, value) in wanted where labels[key] != value {
            labels[key] = value
            missing = true
        }
        if missing {
            var metadata = node.metadata ?? MetaV1.ObjectMeta()
            metadata.labels = labels
            node.metadata = metadata
        }
        return missing
    }

    private func readMachine() throws -> MachineInfo {
        do {
            let info = try machine.machineInfo()
            lastMachine = info
            return info
        } catch {
            guard let lastMachine else { throw error }
            logger.warning("unable to read machine info, using the last", metadata: ["error": "\(error)"])
            return lastMachine
        }
    }

    /// Whether a status differs in anything but the conditions' heartbeat times (upstream's
    /// `nodeStatusHasChanged`).
    public static func statusHasChanged(_ original: CoreV1.NodeStatus?, _ status: CoreV1.NodeStatus?) -> Bool {
        guard var original, var status else { return (original == nil) != (status == nil) }
        func withoutHeartbeats(_ conditions: [CoreV1.NodeCondition]?) -> [CoreV1.NodeCondition] {
            (conditions ?? []).map { condition in
                var copy = condition
                copy.lastHeartbeatTime = nil
                return copy
            }.sorted { $0.type < $1.type }
        }
        if withoutHeartbeats(original.conditions) != withoutHeartbeats(status.conditions) { return true }
        original.conditions = nil
        status.conditions = nil
        return original != status
    }
}
