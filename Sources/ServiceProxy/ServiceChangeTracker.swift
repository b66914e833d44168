/// Collects Service changes between syncs, keyed by service: many updates of one service merge
/// into one pending change, and a change that returns a service to what the last sync saw is
/// no change at all (as upstream's `ServiceChangeTracker`).
///
/// Each service's port list is kept as it was handed in when it is already sorted and free of
/// duplicate names (as a source's lists are), so the tracker shares it with the source instead
/// of holding a copy.
public struct ServiceChangeTracker: Sendable {
    /// The latest ports of every known service, sorted by name, one port per name.
    public private(set) var services: [ServiceName: [ServicePortInfo]] = [:]
    /// The ports each changed service had at the last `takeChanges()`.
    private var previous: [ServiceName: [ServicePortInfo]] = [:]
    /// Every update seen (`kubeproxy_sync_proxy_rules_service_changes_total`).
    public private(set) var totalChanges = 0
    /// Service ports known.
    public private(set) var portCount = 0

    public init() {}

    /// The port `name`, if its service has it.
    public func port(_ name: ServicePortName) -> ServicePortInfo? {
        services[name.service]?.first { $0.name == name }
    }

    /// Every service port known, by name (built on each call).
    public var servicePorts: [ServicePortName: ServicePortInfo] {
        var all: [ServicePortName: ServicePortInfo] = [:]
        all.reserveCapacity(portCount)
        for ports in services.values { for port in ports { all[port.name] = port } }
        return all
    }

    /// Every service port known, sorted by name.
    public var sortedPorts: [ServicePortInfo] {
        var all: [ServicePortInfo] = []
        all.reserveCapacity(portCount)
        for ports in services.values { all += ports }
        return all.sorted { $0.name < $1.name }
    }

    /// Records the ports of a service (an empty list or nil deletes it). Of two ports with one
    /// name, the later counts. Returns whether the service now differs from what the last sync saw.
    @discardableResult
    public mutating func update(_ name: ServiceName, ports: [ServicePortInfo]?) -> Bool {
        let current = services[name] ?? []
        let next = Self.normalized(ports ?? [])
        guard current != next else { return previous[name] != nil }
        totalChanges += 1
        if previous[name] == nil { previous[name] = current }
        services[name] = next.isEmpty ? nil : next
        portCount += next.count - current.count
        if previous[name] == next { previous[name] = nil }
        return previous[name] != nil
    }

    /// `ports` sorted by name with one port per name (the later); `ports` itself when it is so.
    static func normalized(_ ports: [ServicePortInfo]) -> [ServicePortInfo] {
        if zip(ports, ports.dropFirst()).allSatisfy({ $0.name < $1.name }) { return ports }
        let byName = Dictionary(ports.map { ($0.name, $0) }, uniquingKeysWith: { _, later in later })
        return byName.values.sorted { $0.name < $1.name }
    }

    /// The services changed since the last call; they are no longer pending afterwards.
    public mutating func takeChanges() -> Set<ServiceName> {
        defer { previous.removeAll(keepingCapacity: true) }
        return Set(previous.keys)
    }

    /// Changes not yet taken (`kubeproxy_sync_proxy_rules_service_changes_pending`).
    public var pendingCount: Int { previous.count }
}
