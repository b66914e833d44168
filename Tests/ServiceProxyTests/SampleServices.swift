import NFTables
@testable import ServiceProxy

/// A handful of services covering every feature, for the kernel tests.
enum SampleServices {
    static let web = ServiceName(namespace: "default", name: "web")
    static let dns = ServiceName(namespace: "kube-system", name: "dns")
    static let empty = ServiceName(namespace: "default", name: "empty")
    static let sticky = ServiceName(namespace: "default", name: "sticky")
    static let balancer = ServiceName(namespace: "default", name: "balancer")
    static let local = ServiceName(namespace: "default", name: "local")

    static func ports() -> [ServiceName: [ServicePortInfo]] {
        [
            web: [ServicePortInfo(name: ServicePortName(service: web, port: "http", protocol: .tcp), clusterIP: "10.96.0.10", port: 80,
                                  nodePort: 30080, externalIPs: ["192.0.2.7"])],
            dns: [ServicePortInfo(name: ServicePortName(service: dns, port: "dns", protocol: .udp), clusterIP: "10.96.0.53", port: 53),
                  ServicePortInfo(name: ServicePortName(service: dns, port: "dns-tcp", protocol: .tcp), clusterIP: "10.96.0.53", port: 53)],
            empty: [ServicePortInfo(name: ServicePortName(service: empty, port: "", protocol: .tcp), clusterIP: "10.96.0.20", port: 80,
                                    nodePort: 30020)],
            sticky: [ServicePortInfo(name: ServicePortName(service: sticky, port: "", protocol: .tcp), clusterIP: "10.96.0.30", port: 80,
                                     sessionAffinity: .clientIP(timeoutSeconds: 600))],
            balancer: [ServicePortInfo(name: ServicePortName(service: balancer, port: "https", protocol: .tcp), clusterIP: "10.96.0.40",
                                       port: 443, nodePort: 30443, loadBalancerIPs: ["203.0.113.9"],
                                       loadBalancerSourceRanges: [CIDR("198.51.100.0/24")!])],
            local: [ServicePortInfo(name: ServicePortName(service: local, port: "", protocol: .tcp), clusterIP: "10.96.0.50", port: 80,
                                    nodePort: 30050, externalPolicyLocal: true, healthCheckNodePort: 32050)],
        ]
    }

    static func slice(_ service: ServiceName, _ addresses: [String], ports: [EndpointSliceInfo.Port],
                      local: Set<String> = [], name: String? = nil) -> EndpointSliceInfo {
        EndpointSliceInfo(name: name ?? "\(service.name)-abc", service: service, family: .ipv4, ports: ports,
                          endpoints: addresses.map { EndpointSliceInfo.Endpoint(addresses: [$0], ready: true,
                                                                                   nodeName: local.contains($0) ? Fixture.node : "node-b") })
    }

    static func slices() -> [EndpointSliceInfo] {
        [
            slice(web, ["10.244.1.5", "10.244.2.5", "10.244.3.5"], ports: [.init(name: "http", port: 8080)]),
            slice(dns, ["10.244.1.9", "10.244.2.9"], ports: [.init(name: "dns", port: 5353, protocol: .udp),
                                                              .init(name: "dns-tcp", port: 5353, protocol: .tcp)]),
            slice(sticky, ["10.244.1.5", "10.244.2.5"], ports: [.init(port: 8080)]),
            slice(balancer, ["10.244.1.7"], ports: [.init(name: "https", port: 8443)]),
            slice(local, ["10.244.1.5", "10.244.2.5"], ports: [.init(port: 8080)], local: ["10.244.1.5"]),
        ]
    }

    /// Feeds every sample service and slice to `proxier` and marks both lists synced.
    static func load(into proxier: NFTablesProxier) async {
        for (name, ports) in ports() { await proxier.updateService(name, ports: ports) }
        for slice in slices() { await proxier.updateEndpointSlice(slice) }
        await proxier.servicesDidSync()
        await proxier.endpointSlicesDidSync()
    }
}
