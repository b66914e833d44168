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
    private var servicePorts: [ProxyIPFamily: [ServiceName: [ServicePortInfo]]] = [:]
    private var sliceInfos: [String: EndpointSliceInfo] = [:]
    private var initialSyncDone = false

    /// - Parameters:
    ///   - loops: one sync loop per IP family, each fed the objects of its family.
    ///   - families: the family of each loop, in the same order.
    public init(loops: [ProxySyncLoop], families: [ProxyIPFamily], logger: Logger) {
        self.loops = loops
        self.families = families
        self.logger = logger
    }

    /// Makes `services` and `slices` the complete set the loops route.
    public func apply(services: [CoreV1.Service], slices: [DiscoveryV1.EndpointSlice]) async {
        var serviceCount = 0
        for (index, family) in families.enumerated() {
            var ports: [ServiceName: [ServicePortInfo]] = [:]
            for service in services {
                guard let name = ServiceName(metadata: service.metadata) else { continue }
                // One object per name: when two objects share a name, the later one wins.
                ports[name] = ServicePortInfo.ports(of: service, family: family)
            }
            let before = servicePorts[family] ?? [:]
            for name in Set(before.keys).union(ports.keys) where before[name] != ports[name] {
                await loops[index].updateService(name, ports: ports[name])
            }
            servicePorts[family] = ports
            serviceCount = max(serviceCount, ports.count)
        }

        var infos: [String: EndpointSliceInfo] = [:]
        for slice in slices {
            guard let info = EndpointSliceInfo(slice) else { continue }
            infos["\(info.service.namespace)/\(info.name)"] = info
        }
        for (key, old) in sliceInfos where infos[key] == nil {
            for loop in loops { await loop.updateEndpointSlice(old, removed: true) }
        }
        for (key, info) in infos where sliceInfos[key] != info {
            for loop in loops { await loop.updateEndpointSlice(info) }
        }
        sliceInfos = infos

        if !initialSyncDone {
            initialSyncDone = true
            for loop in loops {
                await loop.servicesDidSync()
                await loop.endpointSlicesDidSync()
            }
        }
        logger.debug("proxy objects applied", metadata: ["services": "\(serviceCount)", "slices": "\(infos.count)"])
    }
}
