import KubeAPI

/// One of the pressure conditions with upstream's reasons, messages and events.
struct NodePressureCondition: Sendable {
    var type: String
    var signal: @Sendable (NodeHealth) -> Bool
    var pressureReason: String
    var pressureMessage: String
    var pressureEvent: String
    var clearReason: String
    var clearMessage: String
    var clearEvent: String

    static let all: [NodePressureCondition] = [
        NodePressureCondition(
            type: "MemoryPressure", signal: { $0.memoryPressure },
            pressureReason: "KubeletHasInsufficientMemory", pressureMessage: "kubelet has insufficient memory available",
            pressureEvent: "NodeHasInsufficientMemory",
            clearReason: "KubeletHasSufficientMemory", clearMessage: "kubelet has sufficient memory available",
            clearEvent: "NodeHasSufficientMemory"),
        NodePressureCondition(
            type: "DiskPressure", signal: { $0.diskPressure },
            pressureReason: "KubeletHasDiskPressure", pressureMessage: "kubelet has disk pressure",
            pressureEvent: "NodeHasDiskPressure",
            clearReason: "KubeletHasNoDiskPressure", clearMessage: "kubelet has no disk pressure",
            clearEvent: "NodeHasNoDiskPressure"),
        NodePressureCondition(
            type: "PIDPressure", signal: { $0.pidPressure },
            pressureReason: "KubeletHasInsufficientPID", pressureMessage: "kubelet has insufficient PID available",
            pressureEvent: "NodeHasInsufficientPID",
            clearReason: "KubeletHasSufficientPID", clearMessage: "kubelet has sufficient PID available",
            clearEvent: "NodeHasSufficientPID"),
    ]

    /// Upstream's pressure setter: a new condition starts `Unknown`; the heartbeat always moves;
    /// status, reason, message and transition time change only when the status flips.
    func apply(to conditions: inout [CoreV1.NodeCondition], pressure: Bool, now: MetaV1.Time) -> NodeConditionEvent? {
        let index = conditions.firstIndex { $0.type == type }
        var condition = index.map { conditions[$0] } ?? CoreV1.NodeCondition(status: "Unknown", type: type)
        condition.lastHeartbeatTime = now
        var event: NodeConditionEvent?
        let wanted = pressure ? "True" : "False"
        if condition.status != wanted {
            condition.status = wanted
            condition.reason = pressure ? pressureReason : clearReason
            condition.message = pressure ? pressureMessage : clearMessage
            condition.lastTransitionTime = now
            event = NodeConditionEvent(kind: .normal, reason: pressure ? pressureEvent : clearEvent)
        }
        if let index { conditions[index] = condition } else { conditions.append(condition) }
        return event
    }
}

extension NodeStatusBuilder {
    /// The resources a node must report before it is Ready.
    func requiredCapacities() -> [String] {
        var required = ["cpu", "memory", "pods"]
        if settings.localStorageCapacityIsolation { required.append("ephemeral-storage") }
        return required
    }

    /// Upstream's `ReadyCondition` setter: Ready `True` with `KubeletReady` "kubelet is posting
    /// ready status", or `False` with `KubeletNotReady` and the problems (runtime, network,
    /// storage, missing capacity) as an aggregate message; the transition time moves only when
    /// the status flips; `NodeReady` or `NodeNotReady` is raised when it does (or is first set).
    func setReady(_ conditions: inout [CoreV1.NodeCondition], health: NodeHealth, capacity: [String: Quantity], now: MetaV1.Time) -> NodeConditionEvent? {
        let problems = readinessProblems(health: health, capacity: capacity)
        var ready = CoreV1.NodeCondition(
            lastHeartbeatTime: now, lastTransitionTime: now,
            message: "kubelet is posting ready status", reason: "KubeletReady", status: "True", type: "Ready")
        if !problems.isEmpty {
            ready.status = "False"
            ready.reason = "KubeletNotReady"
            ready.message = Self.aggregateMessage(problems)
        }
        var flipped = true
        if let index = conditions.firstIndex(where: { $0.type == "Ready" }) {
            if conditions[index].status == ready.status {
                ready.lastTransitionTime = conditions[index].lastTransitionTime
                flipped = false
            }
            conditions[index] = ready
        } else {
            conditions.append(ready)
        }
        guard flipped else { return nil }
        return NodeConditionEvent(kind: .normal, reason: ready.status == "True" ? "NodeReady" : "NodeNotReady")
    }

    /// What keeps the node from being Ready (empty: Ready).
    public func readinessProblems(health: NodeHealth, capacity: [String: Quantity]) -> [String] {
        // Each source of problems is one aggregate error upstream, nested in the condition's aggregate.
        var problems = [health.runtimeErrors, health.networkErrors, health.storageErrors]
            .filter { !$0.isEmpty }.map(Self.aggregateMessage)
        let missing = requiredCapacities().filter { capacity[$0] == nil }
        if !missing.isEmpty { problems.append("missing node capacity for resources: " + missing.joined(separator: ", ")) }
        return problems
    }

    /// How upstream's `errors.NewAggregate` prints: one message as is, several as `[a, b]`.
    /// Repeated messages are printed once.
    static func aggregateMessage(_ messages: [String]) -> String {
        var seen = Set<String>()
        let unique = messages.filter { seen.insert($0).inserted }
        return unique.count == 1 ? unique[0] : "[" + unique.joined(separator: ", ") + "]"
    }
}
