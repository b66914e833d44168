import KubeAPI

/// Builds the Node object and its status as upstream's kubelet does (`initialNode` in
/// `kubelet_node_status.go` and the setters of `pkg/kubelet/nodestatus`), from settings, machine
/// facts and a health snapshot. Pure: time comes in as nanoseconds.
public struct NodeStatusBuilder: Sendable {
    public var settings: NodeStatusSettings

    /// Upstream's label keys.
    public static let hostnameLabel = "kubernetes.io/hostname"
    public static let osLabel = "kubernetes.io/os"
    public static let archLabel = "kubernetes.io/arch"
    public static let legacyOSLabel = "beta.kubernetes.io/os"
    public static let legacyArchLabel = "beta.kubernetes.io/arch"
    /// The labels `updateDefaultLabels` reconciles on an existing node (those swiftlet knows about;
    /// the zone, region and instance-type labels come from a cloud provider, which swiftlet has not).
    public static let defaultLabelKeys = [hostnameLabel, osLabel, archLabel, legacyOSLabel, legacyArchLabel]
    /// The annotation saying the attach/detach controller manages the node's volumes.
    public static let controllerManagedAttachDetachAnnotation = "volumes.kubernetes.io/controller-managed-attach-detach"
    /// The taint of a node registered as unschedulable.
    public static let unschedulableTaintKey = "node.kubernetes.io/unschedulable"

    /// Creates a builder.
    public init(settings: NodeStatusSettings) { self.settings = settings }

    /// The labels upstream sets on its own: host name, OS and architecture (stable and beta).
    public func defaultLabels(machine: MachineInfo) -> [String: String] {
        [
            Self.hostnameLabel: machine.hostname,
            Self.osLabel: machine.operatingSystem,
            Self.archLabel: machine.architecture,
            Self.legacyOSLabel: machine.operatingSystem,
            Self.legacyArchLabel: machine.architecture,
        ]
    }

    /// The Node to register: name, default and configured labels, taints, the attach/detach
    /// annotation, and a full status. Also the events the status setters raised.
    public func initialNode(machine: MachineInfo, health: NodeHealth, nowNanoseconds: Int64) -> (node: CoreV1.Node, events: [NodeConditionEvent]) {
        var labels = defaultLabels(machine: machine)
        for (key, value) in settings.labels { labels[key] = value }
        var taints = settings.taints
        if !settings.registerSchedulable {
            taints.append(CoreV1.Taint(effect: "NoSchedule", key: Self.unschedulableTaintKey))
        }
        var annotations: [String: String]?
        if settings.controllerAttachDetach { annotations = [Self.controllerManagedAttachDetachAnnotation: "true"] }
        var node = CoreV1.Node(
            apiVersion: "v1", kind: "Node",
            metadata: MetaV1.ObjectMeta(annotations: annotations, labels: labels, name: settings.nodeName),
            spec: CoreV1.NodeSpec(taints: taints.isEmpty ? nil : taints, unschedulable: settings.registerSchedulable ? nil : true)
        )
        let events = update(&node.status, machine: machine, health: health, nowNanoseconds: nowNanoseconds)
        return (node, events)
    }

    /// Runs the status setters over `status` in upstream's order: addresses, machine info
    /// (capacity, allocatable), version info, daemon endpoints, then the MemoryPressure,
    /// DiskPressure, PIDPressure and Ready conditions. Returns the condition events raised.
    public func update(_ status: inout CoreV1.NodeStatus?, machine: MachineInfo, health: NodeHealth, nowNanoseconds: Int64) -> [NodeConditionEvent] {
        var current = status ?? CoreV1.NodeStatus()
        current.addresses = addresses(machine: machine)
        let capacity = capacity(machine: machine)
        current.capacity = capacity
        current.allocatable = allocatable(capacity: capacity)
        current.nodeInfo = CoreV1.NodeSystemInfo(
            architecture: machine.architecture, bootID: machine.bootID,
            containerRuntimeVersion: settings.containerRuntimeVersion, kernelVersion: machine.kernelVersion,
            kubeProxyVersion: settings.kubeProxyVersion, kubeletVersion: settings.kubeletVersion,
            machineID: machine.machineID, operatingSystem: machine.operatingSystem, osImage: machine.osImage,
            systemUUID: machine.systemUUID
        )
        current.daemonEndpoints = CoreV1.NodeDaemonEndpoints(kubeletEndpoint: CoreV1.DaemonEndpoint(Port: settings.kubeletPort))
        var conditions = current.conditions ?? []
        var events: [NodeConditionEvent] = []
        let now = NodeTime.time(nowNanoseconds)
        for pressure in NodePressureCondition.all {
            if let event = pressure.apply(to: &conditions, pressure: pressure.signal(health), now: now) { events.append(event) }
        }
        if let event = setReady(&conditions, health: health, capacity: capacity, now: now) { events.append(event) }
        current.conditions = conditions
        status = current
        return events
    }

    /// `InternalIP` per node IP, then `Hostname`.
    public func addresses(machine: MachineInfo) -> [CoreV1.NodeAddress] {
        settings.nodeIPs.map { CoreV1.NodeAddress(address: $0, type: "InternalIP") }
            + [CoreV1.NodeAddress(address: machine.hostname, type: "Hostname")]
    }
}

/// An event a status setter raises about the node (upstream's `recordEventFunc`), e.g. Normal
/// `NodeReady`.
public struct NodeConditionEvent: Sendable, Hashable {
    public var kind: KubeletEvent.Kind
    public var reason: String

    public init(kind: KubeletEvent.Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// The event as the kubelet records it: `Node <name> status is now: <reason>`.
    public func kubeletEvent(nodeName: String) -> KubeletEvent {
        KubeletEvent(kind: kind, reason: reason, object: nodeName, message: "Node \(nodeName) status is now: \(reason)")
    }
}
