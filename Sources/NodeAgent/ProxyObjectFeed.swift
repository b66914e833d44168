import KubeAPI
import Logging
import ServiceProxy

/// Hands Services and EndpointSlices to the proxy's sync loops, one complete set at a time:
/// each set is compared with the last and only the Services and slices that changed reach the
/// loops; the first set also tells them the initial lists are in. Both standalone sources use
/// it: the manifest directory of `swiftlet proxy run` and the kubelet's local Services.
public actor ProxyObjectFeed {
    private let loops: [ProxySyncLoop]
    private let families: [ProxyIPFamily]
    private let logger: Logger
    /// What the loops were last handed.
    private var current: ProxyObjects
    private var initialSyncDone = false

    /// - Parameters:
    ///   - loops: one sync loop per IP family, each fed the objects of its family.
    ///   - families: the family of each loop, in the same order.
    public init(loops: [ProxySyncLoop], families: [ProxyIPFamily], logger: Logger) {
        self.loops = loops
        self.families = families
        self.logger = logger
        self.current = ProxyObjects(families: families)
    }

    /// Makes `services` and `slices` the complete set the loops route.
    public func apply(services: [CoreV1.Service], slices: [DiscoveryV1.EndpointSlice]) async {
        await apply(ProxyObjects(services: services, slices: slices, families: families))
    }

    /// Makes `objects` the complete set the loops route.
    public func apply(_ objects: ProxyObjects) async {
        for (index, family) in families.enumerated() {
            for name in Set(current.servicePorts.keys).union(objects.servicePorts.keys) {
                let ports = objects.ports(of: name, family: family)
                if current.ports(of: name, family: family) != ports {
                    await loops[index].updateService(name, ports: ports)
                }
            }
        }
        for (key, old) in current.slices where objects.slices[key] == nil {
            for loop in loops { await loop.updateEndpointSlice(old, removed: true) }
        }
        for (key, info) in objects.slices where current.slices[key] != info {
            for loop in loops { await loop.updateEndpointSlice(info) }
        }
        current = objects

        if !initialSyncDone {
            initialSyncDone = true
            for loop in loops {
                await loop.servicesDidSync()
                await loop.endpointSlicesDidSync()
            }
        }
        logger.debug("proxy objects applied", metadata: ["services": "\(objects.servicePorts.count)", "slices": "\(objects.slices.count)"])
    }
}
