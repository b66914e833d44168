import KubeAPI
import ServiceProxy

/// What the proxy keeps of a set of Services and EndpointSlices: each Service's ports per IP
/// family and each slice's `EndpointSliceInfo`. The decoded objects are converted once and
/// not kept, so a source holds a few hundred bytes per object instead of the whole object.
public struct ProxyObjects: Sendable, Equatable {
    /// The families `servicePorts` holds ports for, in its order.
    public let families: [ProxyIPFamily]
    /// Each Service's ports, one list per entry of `families`.
    public private(set) var servicePorts: [ServiceName: [[ServicePortInfo]]] = [:]
    /// Each slice, keyed `namespace/name`.
    public private(set) var slices: [String: EndpointSliceInfo] = [:]

    /// No objects.
    public init(families: [ProxyIPFamily]) {
        self.families = families
    }

    /// Converts `services` and `slices` for `families`. Objects without a name are left out;
    /// when two objects share a name, the later one wins.
    public init(services: [CoreV1.Service], slices: [DiscoveryV1.EndpointSlice], families: [ProxyIPFamily]) {
        self.families = families
        for service in services {
            guard let name = ServiceName(metadata: service.metadata) else { continue }
            servicePorts[name] = families.map { ServicePortInfo.ports(of: service, family: $0) }
        }
        for slice in slices {
            guard let info = EndpointSliceInfo(slice) else { continue }
            self.slices["\(info.service.namespace)/\(info.name)"] = info
        }
    }

    /// The ports of the Service `name` in `family`; nil when there is no such Service.
    public func ports(of name: ServiceName, family: ProxyIPFamily) -> [ServicePortInfo]? {
        guard let all = servicePorts[name], let index = families.firstIndex(of: family), index < all.count else { return nil }
        return all[index]
    }

    /// Adds the objects of `other`; on a shared name those of `other` win. `other` should hold
    /// the same families; ports of a family it does not hold read as none.
    public mutating func merge(_ other: ProxyObjects) {
        if other.families == families {
            // Shares the port lists of `other` (and its whole tables when this one is empty)
            // instead of copying them.
            if servicePorts.isEmpty { servicePorts = other.servicePorts } else { servicePorts.merge(other.servicePorts) { _, new in new } }
        } else {
            for name in other.servicePorts.keys {
                servicePorts[name] = families.map { other.ports(of: name, family: $0) ?? [] }
            }
        }
        if slices.isEmpty { slices = other.slices } else { slices.merge(other.slices) { _, new in new } }
    }
}
