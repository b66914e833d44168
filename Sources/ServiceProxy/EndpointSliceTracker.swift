/// Collects EndpointSlice changes between syncs and merges the slices of each service into
/// per-port endpoint lists, as upstream's `EndpointsChangeTracker` and `EndpointSliceCache`.
public struct EndpointSliceTracker: Sendable {
    public let family: ProxyIPFamily
    /// This node's name: endpoints whose `nodeName` matches are local.
    public let hostname: String
    /// Each service's slices by name, and its endpoints by port (one entry inline, see
    /// `InlineDictionary`: almost every service has one slice and one port).
    private var slices: [ServiceName: InlineDictionary<String, EndpointSliceInfo>] = [:]
    private var merged: [ServiceName: InlineDictionary<ServicePortName, [EndpointInfo]>] = [:]
    private var previous: [ServiceName: [ServicePortName: [EndpointInfo]]] = [:]
    /// Every update seen (`kubeproxy_sync_proxy_rules_endpoint_changes_total`).
    public private(set) var totalChanges = 0

    public init(family: ProxyIPFamily, hostname: String) {
        self.family = family
        self.hostname = hostname
    }

    /// Records a slice, or deletes it (`removed`). Slices of the other family are ignored.
    /// Returns whether the service's endpoints now differ from what the last sync saw.
    @discardableResult
    public mutating func update(_ slice: EndpointSliceInfo, removed: Bool = false) -> Bool {
        guard slice.family == family else { return false }
        let service = slice.service
        let before = merged[service]?.dictionary ?? [:]
        slices[service].set(slice.name, removed ? nil : slice)
        let after = merge(slices[service]?.dictionary ?? [:], service: service)
        guard after != before else { return previous[service] != nil }
        totalChanges += 1
        if previous[service] == nil { previous[service] = before }
        merged[service] = InlineDictionary(after)
        if previous[service] == after { previous[service] = nil }
        return previous[service] != nil
    }

    /// The endpoints of one service port, sorted by address and port.
    public func endpoints(for port: ServicePortName) -> [EndpointInfo] {
        merged[port.service]?[port] ?? []
    }

    /// The endpoints of every port of a service.
    public func endpoints(ofService service: ServiceName) -> [ServicePortName: [EndpointInfo]] {
        merged[service]?.dictionary ?? [:]
    }

    /// The endpoints each changed service had at the last `takeChanges()`, by service; they are
    /// no longer pending afterwards.
    public mutating func takeChanges() -> [ServiceName: [ServicePortName: [EndpointInfo]]] {
        defer { previous.removeAll(keepingCapacity: true) }
        return previous
    }

    /// Changes not yet taken (`kubeproxy_sync_proxy_rules_endpoint_changes_pending`).
    public var pendingCount: Int { previous.count }

    private func merge(_ slices: [String: EndpointSliceInfo], service: ServiceName) -> [ServicePortName: [EndpointInfo]] {
        var byPort: [ServicePortName: [String: EndpointInfo]] = [:]
        for name in slices.keys.sorted() {
            let slice = slices[name]!
            for port in slice.ports {
                let portName = ServicePortName(service: service, port: port.name, protocol: port.protocol)
                for endpoint in slice.endpoints {
                    guard let address = endpoint.addresses.first, family.addressBytes(address) != nil else { continue }
                    let ready = endpoint.ready ?? true
                    let info = EndpointInfo(address: address, port: port.port, isLocal: endpoint.nodeName == hostname && !hostname.isEmpty,
                                            isReady: ready, isServing: endpoint.serving ?? ready,
                                            isTerminating: endpoint.terminating ?? false)
                    let key = info.description
                    // The same endpoint in two slices (during a slice rotation): a local copy wins
                    // over a remote one, as upstream's cache keeps; between copies alike in that,
                    // the ready one (upstream keeps whichever its map order gives, so any is right).
                    if let existing = byPort[portName]?[key] {
                        if existing.isLocal != info.isLocal {
                            if existing.isLocal { continue }
                        } else if existing.isReady || !info.isReady {
                            continue
                        }
                    }
                    byPort[portName, default: [:]][key] = info
                }
            }
        }
        return byPort.mapValues { $0.values.sorted() }.filter { !$0.value.isEmpty }
    }
}
