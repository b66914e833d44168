/// What stale-flow cleanup needs to remember of a UDP service port: the addresses it is reached
/// on and the endpoints traffic was sent to.
struct UDPView: Sendable, Hashable {
    var serviceAddresses: [[UInt8]]
    var port: UInt16
    var nodePort: UInt16?
    var endpoints: Set<[UInt8]>

    init?(service: ServicePortInfo, endpoints: [EndpointInfo], family: ProxyIPFamily) {
        guard service.name.protocol == .udp else { return nil }
        serviceAddresses = ([service.clusterIP] + service.externalIPs + service.loadBalancerIPs).compactMap { family.addressBytes($0) }
        port = service.port
        nodePort = service.nodePort
        let reachable = EndpointCategories(service: service, endpoints: endpoints).allReachable
        self.endpoints = Set(reachable.compactMap { family.addressBytes($0.address) })
    }

    /// The flows to delete when the port goes from `old` to `new` (nil: the port is gone):
    /// flows DNATed to an endpoint no longer used, and, once the port has endpoints, flows to
    /// its addresses that were never DNATed (made while nothing served it; their reply comes
    /// from the service address itself).
    static func staleFilters(old: UDPView?, new: UDPView?) -> [ConntrackFilter] {
        var filters: [ConntrackFilter] = []
        if let old {
            let remaining = new?.endpoints ?? []
            for endpoint in old.endpoints.subtracting(remaining).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                filters += old.serviceAddresses.map {
                    ConntrackFilter(protocol: .udp, destination: $0, destinationPort: old.port, replySource: endpoint)
                }
                if let nodePort = old.nodePort {
                    filters.append(ConntrackFilter(protocol: .udp, destinationPort: nodePort, replySource: endpoint))
                }
            }
        }
        if let new, !new.endpoints.isEmpty, old?.endpoints.isEmpty ?? true {
            filters += new.serviceAddresses.map {
                ConntrackFilter(protocol: .udp, destination: $0, destinationPort: new.port, replySource: $0)
            }
        }
        return filters
    }
}

extension NFTablesProxier {
    /// The conntrack filters for the UDP ports that changed, and the views to remember after
    /// the sync (a copy of the current ones; UDP service ports are few).
    /// `allPorts` are every port, given on a full sync (empty otherwise).
    func staleConntrackFilters(full: Bool, changedPorts: Set<ServicePortName>, allPorts: [ServicePortInfo], ports: ServiceChangeTracker)
        -> ([ConntrackFilter], [ServicePortName: UDPView]) {
        var views = currentUDPViews
        var filters: [ConntrackFilter] = []
        let names = full ? Set(allPorts.lazy.filter { $0.name.protocol == .udp }.map(\.name)).union(views.keys) : changedPorts
        for name in names where name.protocol == .udp {
            let new = ports.port(name).flatMap { UDPView(service: $0, endpoints: endpoints(for: name), family: family) }
            let old = views[name]
            // Without an earlier view (the first sync), only services that have endpoints now
            // are cleaned, of flows made while nothing served them.
            filters += UDPView.staleFilters(old: old, new: new)
            views[name] = new
        }
        return (filters, views)
    }
}
