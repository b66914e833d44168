import KubeAPI

extension EndpointSliceInfo {
    /// What the proxier reads of a `discovery.k8s.io/v1` EndpointSlice, as upstream's
    /// endpoint slice cache reads it; nil when the proxy ignores the slice: no name, no
    /// `kubernetes.io/service-name` label, an `addressType` other than IPv4 or IPv6 (FQDN), or a
    /// label that gives it to another proxy or marks it headless.
    ///
    /// Ports without a number (or 0) are left out; an unset port name is `""` and an unset
    /// protocol `TCP` (the API server's defaults). Endpoints without addresses are left out;
    /// unset conditions read as ready, serving and not terminating. What it keeps of the slice is
    /// copied, not shared: the decoded objects are many times larger, and a kept piece of theirs
    /// would keep its whole page of them resident (see `FreshStorage`).
    public init?(_ slice: DiscoveryV1.EndpointSlice) {
        guard let sliceName = slice.metadata?.name, !sliceName.isEmpty,
              let serviceName = slice.metadata?.labels?[KubeObjectLabels.serviceName], !serviceName.isEmpty,
              !KubeObjectLabels.excludesFromProxy(slice.metadata?.labels),
              let family = ProxyIPFamily(rawValue: slice.addressType) else { return nil }
        let namespace = slice.metadata?.namespace ?? ""
        let ports = (slice.ports ?? []).compactMap { port -> Port? in
            guard let number = port.port.flatMap({ UInt16(exactly: $0) }), number != 0,
                  let transport = TransportProtocol(rawValue: port.protocol ?? "TCP") else { return nil }
            return Port(name: FreshStorage.string(port.name ?? ""), port: number, protocol: transport)
        }
        let endpoints = (slice.endpoints ?? []).compactMap { endpoint -> Endpoint? in
            guard !endpoint.addresses.isEmpty else { return nil }
            let conditions = endpoint.conditions
            return Endpoint(addresses: endpoint.addresses.map(FreshStorage.string), ready: conditions?.ready ?? true,
                            serving: conditions?.serving ?? true, terminating: conditions?.terminating ?? false,
                            nodeName: endpoint.nodeName.map(FreshStorage.string))
        }
        self.init(name: FreshStorage.string(sliceName),
                  service: ServiceName(namespace: namespace.isEmpty ? "default" : FreshStorage.string(namespace), name: FreshStorage.string(serviceName)),
                  family: family, ports: ports, endpoints: endpoints)
    }
}
