import NFTables

extension RulesetBuilder {
    /// What one service port puts in the table, given all of its endpoints (of this family).
    /// A port whose ClusterIP is not of this family contributes nothing.
    public func fragment(for service: ServicePortInfo, endpoints: [EndpointInfo]) -> ServiceFragment {
        var fragment = ServiceFragment()
        guard let clusterIP = family.addressBytes(service.clusterIP) else { return fragment }
        let name = service.name
        let proto = service.name.protocol
        let categories = EndpointCategories(service: service, endpoints: endpoints)

        var chains = ChainAccumulator()
        let portChains = KubeProxyNames.ServicePortChains(name)
        let clusterPolicyChain = portChains.clusterPolicy
        let localPolicyChain = portChains.localPolicy
        let externalChain = portChains.external
        let firewallChain = portChains.firewall
        // Each name costs a SHA-256: computed once per endpoint, in the order of `allReachable`,
        // found again by a linear search for the usual handful of endpoints.
        var endpointChainNames: [String] = []
        endpointChainNames.reserveCapacity(categories.allReachable.count)
        var endpointChains: [EndpointInfo: String] = [:]
        let indexesEndpoints = categories.allReachable.count > 16
        for endpoint in categories.allReachable {
            let chain = KubeProxyNames.endpointChain(name, endpoint)
            endpointChainNames.append(chain)
            if indexesEndpoints { endpointChains[endpoint] = chain }
            chains.ensure(chain)
        }
        let endpointChain = { (endpoint: EndpointInfo) -> String in
            if indexesEndpoints { return endpointChains[endpoint] ?? KubeProxyNames.endpointChain(name, endpoint) }
            if let position = categories.allReachable.firstIndex(of: endpoint) { return endpointChainNames[position] }
            return KubeProxyNames.endpointChain(name, endpoint)
        }
        let usesClusterPolicyChain = !categories.cluster.isEmpty && service.usesClusterEndpoints
        if usesClusterPolicyChain { chains.ensure(clusterPolicyChain) }
        let usesLocalPolicyChain = !categories.local.isEmpty && service.usesLocalEndpoints
        if usesLocalPolicyChain { chains.ensure(localPolicyChain) }

        let hasEndpoints = categories.hasAnyEndpoints
        let internalChain = service.internalPolicyLocal ? localPolicyChain : clusterPolicyChain
        let hasInternalEndpoints = hasEndpoints && !(service.internalPolicyLocal && categories.local.isEmpty)
        let externalPolicyChain = service.usesExternalPolicyLocal ? localPolicyChain : clusterPolicyChain
        let hasExternalEndpoints = hasEndpoints && !(service.usesExternalPolicyLocal && categories.local.isEmpty)
        let usesExternalChain = hasEndpoints && service.isExternallyAccessible
        if usesExternalChain { chains.ensure(externalChain) }

        // No endpoints anywhere: reject at once. No endpoints for one policy: drop.
        let internalFilterVerdict: NFVerdict = hasEndpoints ? .drop : .goto(KubeProxyNames.rejectChain)
        let externalFilterVerdict: NFVerdict = hasEndpoints ? .drop : .goto(KubeProxyNames.rejectChain)

        var elements: [ProxyMapElement] = [ProxyMapElement(map: .clusterIPs, key: clusterIP)]
        let clusterKey = serviceKey(clusterIP, proto, service.port)
        if hasInternalEndpoints {
            elements.append(ProxyMapElement(map: .serviceIPs, key: clusterKey, verdict: .goto(internalChain)))
        } else {
            elements.append(ProxyMapElement(map: .noEndpointServices, key: clusterKey, verdict: internalFilterVerdict))
        }

        for address in service.externalIPs {
            guard let bytes = family.addressBytes(address) else { continue }
            let key = serviceKey(bytes, proto, service.port)
            if hasEndpoints { elements.append(ProxyMapElement(map: .serviceIPs, key: key, verdict: .goto(externalChain))) }
            if !hasExternalEndpoints {
                elements.append(ProxyMapElement(map: .noEndpointServices, key: key, verdict: externalFilterVerdict))
            }
        }

        let loadBalancerIPs = service.loadBalancerIPs.compactMap { family.addressBytes($0) }
        let sourceRanges = service.loadBalancerSourceRanges.filter { $0.family == family }
        let usesFirewallChain = !loadBalancerIPs.isEmpty && !sourceRanges.isEmpty
        if usesFirewallChain { chains.ensure(firewallChain) }
        for bytes in loadBalancerIPs {
            let key = serviceKey(bytes, proto, service.port)
            if hasEndpoints { elements.append(ProxyMapElement(map: .serviceIPs, key: key, verdict: .goto(externalChain))) }
            if usesFirewallChain { elements.append(ProxyMapElement(map: .firewallIPs, key: key, verdict: .goto(firewallChain))) }
        }
        if !hasExternalEndpoints {
            for bytes in loadBalancerIPs {
                elements.append(ProxyMapElement(map: .noEndpointServices, key: serviceKey(bytes, proto, service.port),
                                                verdict: externalFilterVerdict))
            }
        }

        if let nodePort = service.nodePort {
            let key = nodePortKey(proto, nodePort)
            if hasEndpoints { elements.append(ProxyMapElement(map: .serviceNodePorts, key: key, verdict: .goto(externalChain))) }
            if !hasExternalEndpoints {
                elements.append(ProxyMapElement(map: .noEndpointNodePorts, key: key, verdict: externalFilterVerdict))
            }
        }
        fragment.elements = elements

        // Internal traffic: masquerade what comes from outside the cluster (or everything).
        if hasInternalEndpoints {
            // One array per rule, written in place.
            var toService: [NFExpression] = []
            toService.reserveCapacity(10)
            appendMatch(to: &toService, family.destinationField, .eq, clusterIP)
            appendL4proto(to: &toService, proto)
            appendMatch(to: &toService, .transportDestinationPort, .eq, NFValue.port(service.port))
            if configuration.masqueradeAll {
                toService.append(.verdict(.jump(KubeProxyNames.markForMasquerade)))
                chains.add(internalChain, toService)
            } else if let clusterCIDR = configuration.clusterCIDR, clusterCIDR.family == family {
                appendMatch(to: &toService, family.sourceField, .neq, clusterCIDR)
                toService.append(.verdict(.jump(KubeProxyNames.markForMasquerade)))
                chains.add(internalChain, toService)
            }
        }

        // External traffic: masquerade unless the policy keeps the client's address.
        if usesExternalChain {
            if !service.usesExternalPolicyLocal {
                chains.add(externalChain, [.verdict(.jump(KubeProxyNames.markForMasquerade))])
            } else if usesClusterPolicyChain {
                if let clusterCIDR = configuration.clusterCIDR, clusterCIDR.family == family {
                    // Pods reaching an external address of the service are not subject to the policy.
                    chains.add(externalChain, match(family.sourceField, .eq, clusterCIDR) + [.verdict(.goto(clusterPolicyChain))])
                }
                chains.add(externalChain, fibTypeLocal(.saddr) + [.verdict(.jump(KubeProxyNames.markForMasquerade))])
                chains.add(externalChain, fibTypeLocal(.saddr) + [.verdict(.goto(clusterPolicyChain))])
            } else {
                chains.add(externalChain, fibTypeLocal(.saddr) + [.verdict(.jump(KubeProxyNames.markForMasquerade))])
            }
            if hasExternalEndpoints {
                chains.add(externalChain, [.verdict(.goto(externalPolicyChain))])
            }
        }

        // loadBalancerSourceRanges: allowed sources return to the caller, the rest is dropped
        // (upstream's `ip saddr != { ranges } drop`, as one masked compare per range).
        if usesFirewallChain {
            var sources = sourceRanges
            if let nodeIP = configuration.nodeIP.flatMap({ family.addressBytes($0) }),
               sourceRanges.contains(where: { $0.contains(nodeIP) }) {
                sources += loadBalancerIPs.map { CIDR(family: family, network: $0, prefixLength: $0.count * 8) }
            }
            for source in sources {
                chains.add(firewallChain, match(family.sourceField, .eq, source) + [.verdict(.return)])
            }
            chains.add(firewallChain, [.verdict(.drop)])
        }

        var affinityTimeout: UInt32?
        if case .clientIP(let timeout) = service.sessionAffinity {
            affinityTimeout = timeout
            fragment.affinitySets = categories.allReachable.map {
                AffinitySet(name: KubeProxyNames.affinitySet(name, $0), timeoutSeconds: timeout)
            }
        }

        if usesClusterPolicyChain {
            writeDispatch(into: &chains, chain: clusterPolicyChain, service: name, endpoints: categories.cluster,
                          affinity: affinityTimeout != nil, endpointChain: endpointChain)
        }
        if usesLocalPolicyChain {
            writeDispatch(into: &chains, chain: localPolicyChain, service: name, endpoints: categories.local,
                          affinity: affinityTimeout != nil, endpointChain: endpointChain)
        }

        for (position, endpoint) in categories.allReachable.enumerated() {
            let chain = endpointChainNames[position]
            guard let address = family.addressBytes(endpoint.address) else { continue }
            // Hairpin: an endpoint reaching its own service must come back through this node.
            chains.add(chain, [.load(family.sourceField, into: .r1), .cmp(op: .eq, sreg: .r1, data: address),
                               .verdict(.jump(KubeProxyNames.markForMasquerade))])
            if affinityTimeout != nil {
                let set = NFSetReference(family: tableFamily, table: KubeProxyNames.table, name: KubeProxyNames.affinitySet(name, endpoint))
                chains.add(chain, [.load(family.sourceField, into: .r1), .dynset(op: .update, set: set, sregKey: .r1)])
            }
            chains.add(chain, [
                .meta(key: .l4proto, dreg: .r1), .cmp(op: .eq, sreg: .r1, data: Self.protocolData(proto)),
                .immediate(data: address, dreg: .r1), .immediate(data: NFValue.port(endpoint.port), dreg: .r2),
                .nat(.init(kind: .dnat, family: tableFamily, addressMin: .r1, portMin: .r2, flags: 0x2)),
            ])
        }
        fragment.chains = chains.chains
        return fragment
    }

    /// Session-affinity lookups, then `numgen random mod N vmap { ... }` over the endpoints.
    private func writeDispatch(into chains: inout ChainAccumulator, chain: String, service: ServicePortName,
                               endpoints: [EndpointInfo], affinity: Bool, endpointChain: (EndpointInfo) -> String) {
        if affinity {
            for endpoint in endpoints {
                let set = NFSetReference(family: tableFamily, table: KubeProxyNames.table, name: KubeProxyNames.affinitySet(service, endpoint))
                chains.add(chain, [.load(family.sourceField, into: .r1), .lookup(set: set, sreg: .r1, dreg: nil),
                                   .verdict(.goto(endpointChain(endpoint)))])
            }
        }
        chains.add(chain, ProxyRule.randomDispatch(endpoints.map(endpointChain)))
    }
}

/// Chains in the order they were first named, with their rules. A service port has a handful
/// of chains, found by a linear search; an index by name is kept only past `indexThreshold`.
struct ChainAccumulator {
    private(set) var chains: [ProxyChain] = []
    private var index: [String: Int] = [:]
    private static let indexThreshold = 16

    private func position(of name: String) -> Int? {
        if chains.count <= Self.indexThreshold { return chains.firstIndex { $0.name == name } }
        return index[name]
    }

    @discardableResult
    mutating func ensure(_ name: String) -> Int {
        if let position = position(of: name) { return position }
        chains.append(ProxyChain(name: name))
        if chains.count == Self.indexThreshold + 1 {
            for (position, chain) in chains.enumerated() { index[chain.name] = position }
        } else if chains.count > Self.indexThreshold {
            index[name] = chains.count - 1
        }
        return chains.count - 1
    }

    mutating func add(_ chain: String, _ expressions: [NFExpression]) {
        add(chain, ProxyRule(expressions))
    }

    mutating func add(_ chain: String, _ rule: ProxyRule) {
        chains[ensure(chain)].rules.append(rule)
    }
}
