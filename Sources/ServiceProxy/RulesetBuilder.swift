import NFTables

/// Builds upstream's nftables layout from the proxier's model, as values: the fixed part of the
/// table (base chains, dispatch chains, maps) and, per service port, a `ServiceFragment`. Pure:
/// no kernel, no clock, so every feature is tested as data.
public struct RulesetBuilder: Sendable {
    public var configuration: ProxyConfiguration

    public init(configuration: ProxyConfiguration) {
        self.configuration = configuration
    }

    var family: ProxyIPFamily { configuration.family }
    var tableFamily: NFFamily { family.tableFamily }

    // MARK: The fixed part of the table

    /// A base chain of the layout: `type-hook` at upstream's priority.
    public struct BaseChain: Sendable, Hashable {
        public var name: String
        public var type: NFChain.ChainType
        public var hook: NFChain.Hook
        public var priority: Int32
    }

    /// The base chains, in upstream's order: filter chains run before DNAT (dstnat - 10), the
    /// post-DNAT output filter after it (dstnat + 10), masquerade at srcnat.
    public static let baseChains: [BaseChain] = {
        let dstnat = NFChain.Base.Priority.dstnat
        return [
            BaseChain(name: KubeProxyNames.filterPrerouting, type: .filter, hook: .prerouting, priority: dstnat - 10),
            BaseChain(name: KubeProxyNames.filterInput, type: .filter, hook: .input, priority: dstnat - 10),
            BaseChain(name: KubeProxyNames.filterForward, type: .filter, hook: .forward, priority: dstnat - 10),
            BaseChain(name: KubeProxyNames.filterOutput, type: .filter, hook: .output, priority: dstnat - 10),
            BaseChain(name: KubeProxyNames.filterOutputPostDNAT, type: .filter, hook: .output, priority: dstnat + 10),
            BaseChain(name: KubeProxyNames.natPrerouting, type: .nat, hook: .prerouting, priority: dstnat),
            BaseChain(name: KubeProxyNames.natOutput, type: .nat, hook: .output, priority: dstnat),
            BaseChain(name: KubeProxyNames.natPostrouting, type: .nat, hook: .postrouting, priority: NFChain.Base.Priority.srcnat),
        ]
    }()

    /// The jumps from base chains to the top regular chains (`ct state new` where upstream has it),
    /// in upstream's order.
    static let jumps: [(target: String, from: String, onlyNew: Bool)] = [
        (KubeProxyNames.nodePortEndpointsCheck, KubeProxyNames.filterInput, true),
        (KubeProxyNames.serviceEndpointsCheck, KubeProxyNames.filterInput, true),
        (KubeProxyNames.serviceEndpointsCheck, KubeProxyNames.filterForward, true),
        (KubeProxyNames.serviceEndpointsCheck, KubeProxyNames.filterOutput, true),
        (KubeProxyNames.firewallCheck, KubeProxyNames.filterPrerouting, true),
        (KubeProxyNames.firewallCheck, KubeProxyNames.filterOutput, true),
        (KubeProxyNames.services, KubeProxyNames.natOutput, false),
        (KubeProxyNames.services, KubeProxyNames.natPrerouting, false),
        (KubeProxyNames.masquerading, KubeProxyNames.natPostrouting, false),
        (KubeProxyNames.clusterIPsCheck, KubeProxyNames.filterForward, true),
        (KubeProxyNames.clusterIPsCheck, KubeProxyNames.filterOutputPostDNAT, true),
    ]

    /// The base chains as nftables objects.
    public var baseChainObjects: [NFChain] {
        Self.baseChains.map {
            NFChain(family: tableFamily, table: KubeProxyNames.table, name: $0.name,
                    base: .init(type: $0.type, hook: $0.hook, priority: $0.priority, policy: .accept))
        }
    }

    /// Whether NodePorts answer on every local address (no `nodePortAddresses`).
    var nodePortsOnAllAddresses: Bool { configuration.nodePortAddresses == nil }

    /// The fixed sets and maps: `cluster-ips`, the verdict maps and, with `nodePortAddresses`,
    /// `nodeport-ips`.
    public var fixedSets: [NFSet] {
        var sets = ProxyMap.allCases.map { $0.set(family) }
        if !nodePortsOnAllAddresses {
            sets.append(NFSet(family: tableFamily, table: KubeProxyNames.table, name: KubeProxyNames.nodePortIPs,
                              keyType: [family.addressType]))
        }
        return sets
    }

    /// The elements of `nodeport-ips` (loopback addresses left out, as upstream does).
    public var nodePortIPElements: [NFElement] {
        (configuration.nodePortAddresses ?? []).compactMap { family.addressBytes($0) }
            .filter { !family.loopback.contains($0) && !(family == .ipv4 && $0.first == 127) }
            .map { NFElement(key: $0) }
    }

    /// The regular chains of the fixed part with their rules; the base chains' rules (the
    /// jumps) come first.
    public var fixedChains: [ProxyChain] {
        var rules: [String: [ProxyRule]] = [:]
        var order: [String] = Self.baseChains.map(\.name)
        func add(_ chain: String, _ expressions: [NFExpression]) {
            if rules[chain] == nil, !order.contains(chain) { order.append(chain) }
            rules[chain, default: []].append(ProxyRule(expressions))
        }
        for jump in Self.jumps {
            add(jump.from, (jump.onlyNew ? ctStateNew : []) + [.verdict(.jump(jump.target))])
        }
        for name in [KubeProxyNames.services, KubeProxyNames.clusterIPsCheck, KubeProxyNames.masquerading,
                     KubeProxyNames.markForMasquerade] where !order.contains(name) {
            order.append(name)
        }
        let mark = configuration.masqueradeMark
        add(KubeProxyNames.markForMasquerade, setMasqueradeMark)
        add(KubeProxyNames.masquerading, [.meta(key: .mark, dreg: .r1),
                                         .bitwise(sreg: .r1, dreg: .r1, mask: NFValue.host32(mark), xor: NFValue.host32(0)),
                                         .cmp(op: .eq, sreg: .r1, data: NFValue.host32(0)), .verdict(.return)])
        add(KubeProxyNames.masquerading, [.meta(key: .mark, dreg: .r1),
                                         .bitwise(sreg: .r1, dreg: .r1, mask: NFValue.host32(0xffff_ffff), xor: NFValue.host32(mark)),
                                         .metaSet(key: .mark, sreg: .r1)])
        add(KubeProxyNames.masquerading, [.masquerade(flags: 0x10)])

        add(KubeProxyNames.clusterIPsCheck, [.load(family.destinationField, into: .r1),
                                             .lookup(set: ProxyMap.clusterIPs.reference(family), sreg: .r1, dreg: nil),
                                             reject])
        for cidr in configuration.serviceCIDRs where cidr.family == family {
            add(KubeProxyNames.clusterIPsCheck, match(family.destinationField, .eq, cidr) + [.verdict(.drop)])
        }

        add(KubeProxyNames.rejectChain, [reject])
        add(KubeProxyNames.serviceEndpointsCheck, addressProtocolPortLookup(.noEndpointServices))
        add(KubeProxyNames.nodePortEndpointsCheck, nodePortAddressMatch + protocolPortLookup(.noEndpointNodePorts))
        add(KubeProxyNames.firewallCheck, addressProtocolPortLookup(.firewallIPs))
        add(KubeProxyNames.services, addressProtocolPortLookup(.serviceIPs))
        add(KubeProxyNames.services, (nodePortsOnAllAddresses ? fibTypeLocal(.daddr) : []) + nodePortAddressMatch
                + protocolPortLookup(.serviceNodePorts))
        return order.map { ProxyChain(name: $0, rules: rules[$0] ?? []) }
    }

    /// `ip daddr != 127.0.0.0/8` on every address, or `ip daddr @nodeport-ips`.
    private var nodePortAddressMatch: [NFExpression] {
        if nodePortsOnAllAddresses { return match(family.destinationField, .neq, family.loopback) }
        return [.load(family.destinationField, into: .r1),
                .lookup(set: NFSetReference(family: tableFamily, table: KubeProxyNames.table, name: KubeProxyNames.nodePortIPs),
                        sreg: .r1, dreg: nil)]
    }

    /// nft's plain `reject`: ICMP(v6) port unreachable.
    var reject: NFExpression { .reject(type: .icmpUnreachable, code: family.portUnreachableCode) }
}
