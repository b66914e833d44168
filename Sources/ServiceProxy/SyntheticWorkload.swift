/// A synthetic cluster for benchmarks and load tests: `services` ClusterIP services (TCP port
/// 80, every tenth with a NodePort) of `endpointsPerService` ready endpoints each, in the
/// shapes the API would give them.
public struct SyntheticWorkload: Sendable {
    public var services: [(name: ServiceName, ports: [ServicePortInfo])]
    public var slices: [EndpointSliceInfo]

    public init(services count: Int, endpointsPerService: Int = 3) {
        services = []
        slices = []
        services.reserveCapacity(count)
        slices.reserveCapacity(count)
        for index in 0..<count {
            let name = ServiceName(namespace: "bench-\(index % 50)", name: "svc-\(index)")
            let port = ServicePortInfo(name: ServicePortName(service: name, port: "http", protocol: .tcp),
                                       clusterIP: Self.clusterIP(index), port: 80,
                                       nodePort: index % 10 == 0 ? UInt16(30000 + index / 10 % 2700) : nil)
            services.append((name, [port]))
            slices.append(Self.slice(index, service: name, endpoints: endpointsPerService))
        }
    }

    /// `10.96.x.y` for service `index` (up to 65,536 services), skipping `.0`.
    public static func clusterIP(_ index: Int) -> String {
        let value = index + 1
        return "10.\(96 + value / 65536).\(value / 256 % 256).\(value % 256)"
    }

    /// The slice of service `index`, with `endpoints` pod addresses in `10.128.0.0/9` and an
    /// optional offset (for moving one endpoint in an endpoint-change measurement).
    public static func slice(_ index: Int, service: ServiceName, endpoints: Int, offset: Int = 0) -> EndpointSliceInfo {
        let addresses = (0..<endpoints).map { endpoint -> String in
            let value = index * 8 + endpoint + offset
            return "10.\(128 + value / 65536 % 128).\(value / 256 % 256).\(value % 256)"
        }
        return EndpointSliceInfo(name: "\(service.name)-slice", service: service, family: .ipv4,
                                 ports: [.init(name: "http", port: 8080)],
                                 endpoints: addresses.map { .init(addresses: [$0], ready: true, nodeName: "node-\(index % 7)") })
    }

    /// Feeds the workload to a proxier and marks both lists synced.
    public func load(into proxier: NFTablesProxier) async {
        for service in services { await proxier.updateService(service.name, ports: service.ports) }
        for slice in slices { await proxier.updateEndpointSlice(slice) }
        await proxier.servicesDidSync()
        await proxier.endpointSlicesDidSync()
    }
}
