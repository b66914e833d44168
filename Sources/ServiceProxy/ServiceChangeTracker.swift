/// Collects Service changes between syncs, keyed by service: many updates of one service merge
/// into one pending change, and a change that returns a service to what the last sync saw is
/// no change at all (as upstream's `ServiceChangeTracker`).
public struct ServiceChangeTracker: Sendable {
    /// The latest ports of every known service.
    public private(set) var services: [ServiceName: [ServicePortInfo]] = [:]
    /// The ports each changed service had at the last `takeChanges()`.
    private var previous: [ServiceName: [ServicePortInfo]] = [:]
    /// Every update seen (`kubeproxy_sync_proxy_rules_service_changes_total`).
    public private(set) var totalChanges = 0
    /// Every service port known, by name (kept up to date by `update`).
    public private(set) var servicePorts: [ServicePortName: ServicePortInfo] = [:]

    public init() {}

    /// Records the ports of a service (an empty list or nil deletes it). Returns whether the
    /// service now differs from what the last sync saw.
    @discardableResult
    public mutating func update(_ name: ServiceName, ports: [ServicePortInfo]?) -> Bool {
        let current = services[name] ?? []
        let next = (ports ?? []).sorted { $0.name < $1.name }
        guard current != next else { return previous[name] != nil }
        totalChanges += 1
        if previous[name] == nil { previous[name] = current }
        services[name] = next.isEmpty ? nil : next
        for port in current { servicePorts[port.name] = nil }
        for port in next { servicePorts[port.name] = port }
        if previous[name] == next { previous[name] = nil }
        return previous[name] != nil
    }

    /// The services changed since the last call; they are no longer pending afterwards.
    public mutating func takeChanges() -> Set<ServiceName> {
        defer { previous.removeAll(keepingCapacity: true) }
        return Set(previous.keys)
    }

    /// Changes not yet taken (`kubeproxy_sync_proxy_rules_service_changes_pending`).
    public var pendingCount: Int { previous.count }
}
