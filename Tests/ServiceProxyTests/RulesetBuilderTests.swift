import NFTables
import Testing
@testable import ServiceProxy

/// The builder's output as data, read through the nft text renderer so the expectations read
/// like the rules upstream writes.
@Suite("Ruleset builder")
struct RulesetBuilderTests {
    let builder = Fixture.builder()
    var text: NFTRulesetText { NFTRulesetText(builder: builder) }

    func rules(_ fragment: ServiceFragment, _ chain: String) -> [String]? {
        fragment.chain(chain)?.rules.map { text.statement($0) }
    }

    func elements(_ fragment: ServiceFragment, _ map: ProxyMap) -> [ProxyMapElement] {
        fragment.elements.filter { $0.map == map }
    }

    @Test func baseChainsHaveUpstreamsHooksAndPriorities() {
        let chains = builder.baseChainObjects.map { "\($0.name) \($0.base!.type) \($0.base!.hook.name) \($0.base!.priority)" }
        #expect(chains == [
            "filter-prerouting filter prerouting -110", "filter-input filter input -110", "filter-forward filter forward -110",
            "filter-output filter output -110", "filter-output-post-dnat filter output -90", "nat-prerouting nat prerouting -100",
            "nat-output nat output -100", "nat-postrouting nat postrouting 100",
        ])
    }

    @Test func fixedChainsJumpAndDispatchAsUpstream() {
        let chains = Dictionary(uniqueKeysWithValues: builder.fixedChains.map { ($0.name, $0.rules.map { text.statement($0) }) })
        #expect(chains["filter-input"] == ["ct state new jump nodeport-endpoints-check", "ct state new jump service-endpoints-check"])
        #expect(chains["filter-forward"] == ["ct state new jump service-endpoints-check", "ct state new jump cluster-ips-check"])
        #expect(chains["filter-output"] == ["ct state new jump service-endpoints-check", "ct state new jump firewall-check"])
        #expect(chains["filter-prerouting"] == ["ct state new jump firewall-check"])
        #expect(chains["filter-output-post-dnat"] == ["ct state new jump cluster-ips-check"])
        #expect(chains["nat-prerouting"] == ["jump services"])
        #expect(chains["nat-output"] == ["jump services"])
        #expect(chains["nat-postrouting"] == ["jump masquerading"])
        #expect(chains["mark-for-masquerade"] == ["meta mark set meta mark | 0x00004000"])
        #expect(chains["masquerading"] == ["meta mark & 0x00004000 == 0x00000000 return", "meta mark set meta mark ^ 0x00004000",
                                           "masquerade fully-random"])
        #expect(chains["services"] == ["ip daddr . meta l4proto . th dport vmap @service-ips",
                                       "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports"])
        #expect(chains["service-endpoints-check"] == ["ip daddr . meta l4proto . th dport vmap @no-endpoint-services"])
        #expect(chains["nodeport-endpoints-check"] == ["ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports"])
        #expect(chains["firewall-check"] == ["ip daddr . meta l4proto . th dport vmap @firewall-ips"])
        #expect(chains["cluster-ips-check"] == ["ip daddr @cluster-ips reject", "ip daddr 10.96.0.0/16 drop"])
        #expect(chains["reject-chain"] == ["reject"])
    }

    @Test func nodePortAddressesUseTheNodePortIPsSetInsteadOfFib() {
        let builder = RulesetBuilder(configuration: Fixture.configuration(nodePortAddresses: ["192.168.1.10", "127.0.0.1"]))
        let services = builder.fixedChains.first { $0.name == "services" }!.rules.map { NFTRulesetText(builder: builder).statement($0) }
        #expect(services.last == "ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports")
        #expect(builder.fixedSets.map(\.name).contains("nodeport-ips"))
        #expect(builder.nodePortIPElements == [NFElement(key: Fixture.ip("192.168.1.10"))])
    }

    @Test func clusterIPServicePicksAReadyEndpointAtRandomAndMasqueradesOffClusterClients() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80)
        let endpoints = Fixture.endpoints(["10.244.1.5", "10.244.2.5", "10.244.3.5"])
        let fragment = builder.fragment(for: service, endpoints: endpoints)
        let serviceChain = KubeProxyNames.clusterPolicyChain(port)

        #expect(elements(fragment, .clusterIPs) == [ProxyMapElement(map: .clusterIPs, key: Fixture.ip("10.96.0.10"))])
        #expect(elements(fragment, .serviceIPs) == [ProxyMapElement(map: .serviceIPs, key: Fixture.serviceKey("10.96.0.10", .tcp, 80),
                                                                    verdict: .goto(serviceChain))])
        #expect(elements(fragment, .noEndpointServices).isEmpty)
        let endpointChains = endpoints.map { KubeProxyNames.endpointChain(port, $0) }
        #expect(rules(fragment, serviceChain) == [
            "ip daddr 10.96.0.10 meta l4proto tcp th dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade",
            "numgen random mod 3 vmap { 0 : goto \(endpointChains[0]), 1 : goto \(endpointChains[1]), 2 : goto \(endpointChains[2]) }",
        ])
        #expect(rules(fragment, endpointChains[1]) == [
            "ip saddr 10.244.2.5 jump mark-for-masquerade",
            "meta l4proto tcp dnat ip to 10.244.2.5:8080",
        ])
        #expect(fragment.chains.count == 4)
        #expect(fragment.affinitySets.isEmpty)
    }

    @Test func serviceWithoutEndpointsIsRejectedAndHasNoChains() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, nodePort: 30080, externalIPs: ["192.0.2.7"])
        let fragment = builder.fragment(for: service, endpoints: [])
        let reject = NFVerdict.goto("reject-chain")
        #expect(fragment.chains.isEmpty)
        #expect(elements(fragment, .serviceIPs).isEmpty)
        #expect(Set(elements(fragment, .noEndpointServices)) == [
            ProxyMapElement(map: .noEndpointServices, key: Fixture.serviceKey("10.96.0.10", .tcp, 80), verdict: reject),
            ProxyMapElement(map: .noEndpointServices, key: Fixture.serviceKey("192.0.2.7", .tcp, 80), verdict: reject),
        ])
        #expect(elements(fragment, .noEndpointNodePorts) == [
            ProxyMapElement(map: .noEndpointNodePorts, key: NFElement.concatenatedKey([6], NFValue.port(30080)), verdict: reject),
        ])
    }

    @Test func nodePortExternalIPAndLoadBalancerGoThroughTheExternalChainWhichMasquerades() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, nodePort: 30080, externalIPs: ["192.0.2.7"],
                                      loadBalancerIPs: ["203.0.113.9"])
        let fragment = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.1.5"]))
        let external = KubeProxyNames.externalChain(port)
        #expect(Set(elements(fragment, .serviceIPs).map(\.verdict)) == [.goto(KubeProxyNames.clusterPolicyChain(port)), .goto(external)])
        #expect(elements(fragment, .serviceIPs).count == 3)
        #expect(elements(fragment, .serviceNodePorts) == [
            ProxyMapElement(map: .serviceNodePorts, key: NFElement.concatenatedKey([6], NFValue.port(30080)), verdict: .goto(external)),
        ])
        #expect(rules(fragment, external) == ["jump mark-for-masquerade", "goto \(KubeProxyNames.clusterPolicyChain(port))"])
        #expect(elements(fragment, .firewallIPs).isEmpty)
    }

    @Test func externalTrafficPolicyLocalKeepsTheClientAddressAndUsesOnlyLocalEndpoints() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, nodePort: 30080, externalPolicyLocal: true,
                                      healthCheckNodePort: 32000)
        let endpoints = Fixture.endpoints(["10.244.1.5", "10.244.2.5"], local: ["10.244.1.5"])
        let fragment = builder.fragment(for: service, endpoints: endpoints)
        let cluster = KubeProxyNames.clusterPolicyChain(port)
        let local = KubeProxyNames.localPolicyChain(port)
        #expect(rules(fragment, KubeProxyNames.externalChain(port)) == [
            "ip saddr 10.244.0.0/16 goto \(cluster)",
            "fib saddr type local jump mark-for-masquerade",
            "fib saddr type local goto \(cluster)",
            "goto \(local)",
        ])
        #expect(rules(fragment, local) == ["numgen random mod 1 vmap { 0 : goto \(KubeProxyNames.endpointChain(port, endpoints[0])) }"])
        #expect(fragment.chain(cluster)?.rules.last?.dispatchTargets.count == 2)
    }

    @Test func externalTrafficPolicyLocalWithoutLocalEndpointsDropsExternalTrafficOnly() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, nodePort: 30080, externalPolicyLocal: true)
        let fragment = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.2.5"]))
        #expect(elements(fragment, .noEndpointNodePorts).map(\.verdict) == [.drop])
        #expect(elements(fragment, .serviceIPs).map(\.verdict) == [.goto(KubeProxyNames.clusterPolicyChain(port))])
        #expect(rules(fragment, KubeProxyNames.externalChain(port))?.contains { $0.hasPrefix("goto local-") } == false)
    }

    @Test func internalTrafficPolicyLocalWithoutLocalEndpointsDropsClusterIPTraffic() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, internalPolicyLocal: true)
        let fragment = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.2.5"]))
        #expect(elements(fragment, .noEndpointServices) == [
            ProxyMapElement(map: .noEndpointServices, key: Fixture.serviceKey("10.96.0.10", .tcp, 80), verdict: .drop),
        ])
        #expect(fragment.chains.isEmpty)
    }

    @Test func clientIPAffinityAddsTimedSetsLookupsAndUpdates() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, sessionAffinity: .clientIP(timeoutSeconds: 600))
        let endpoints = Fixture.endpoints(["10.244.1.5", "10.244.2.5"])
        let fragment = builder.fragment(for: service, endpoints: endpoints)
        let sets = endpoints.map { KubeProxyNames.affinitySet(port, $0) }
        #expect(fragment.affinitySets == sets.map { AffinitySet(name: $0, timeoutSeconds: 600) })
        #expect(fragment.affinitySets[0].set(.ipv4).timeoutMilliseconds == 600_000)
        #expect(fragment.affinitySets[0].set(.ipv4).flags == [.dynamic, .timeout])
        let serviceRules = rules(fragment, KubeProxyNames.clusterPolicyChain(port)) ?? []
        #expect(serviceRules.dropFirst().prefix(2) == [
            "ip saddr @\(sets[0]) goto \(KubeProxyNames.endpointChain(port, endpoints[0]))",
            "ip saddr @\(sets[1]) goto \(KubeProxyNames.endpointChain(port, endpoints[1]))",
        ])
        #expect(rules(fragment, KubeProxyNames.endpointChain(port, endpoints[0]))?[1] == "update @\(sets[0]) { ip saddr }")
    }

    @Test func loadBalancerSourceRangesLetListedSourcesAndTheNodeThroughAndDropTheRest() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, loadBalancerIPs: ["203.0.113.9"],
                                      loadBalancerSourceRanges: [CIDR("198.51.100.0/24")!, CIDR("192.168.0.0/16")!])
        let fragment = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.1.5"]))
        let firewall = KubeProxyNames.firewallChain(port)
        #expect(elements(fragment, .firewallIPs) == [
            ProxyMapElement(map: .firewallIPs, key: Fixture.serviceKey("203.0.113.9", .tcp, 80), verdict: .goto(firewall)),
        ])
        // The node (192.168.1.10) is in a listed range, so the LB IP itself is allowed too.
        #expect(rules(fragment, firewall) == [
            "ip saddr 198.51.100.0/24 return", "ip saddr 192.168.0.0/16 return", "ip saddr 203.0.113.9 return", "drop",
        ])
    }

    @Test func terminatingServingEndpointsAreUsedOnlyWhenNoneIsReady() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80)
        let terminating = EndpointInfo(address: "10.244.1.5", port: 8080, isReady: false, isServing: true, isTerminating: true)
        let gone = EndpointInfo(address: "10.244.1.6", port: 8080, isReady: false, isServing: false, isTerminating: true)
        let ready = EndpointInfo(address: "10.244.1.7", port: 8080)
        #expect(EndpointCategories(service: service, endpoints: [terminating, gone]).cluster == [terminating])
        #expect(EndpointCategories(service: service, endpoints: [terminating, gone, ready]).cluster == [ready])
        #expect(!EndpointCategories(service: service, endpoints: [gone]).hasAnyEndpoints)
        let fragment = builder.fragment(for: service, endpoints: [terminating, gone])
        #expect(fragment.chain(KubeProxyNames.endpointChain(port, terminating)) != nil)
        #expect(fragment.chain(KubeProxyNames.endpointChain(port, gone)) == nil)
    }

    @Test func ipv6ServicesUseIp6FieldsAndTheIPv6Loopback() {
        let builder = Fixture.builder(.ipv6)
        let text = NFTRulesetText(builder: builder)
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "fd00:96::10", port: 80, nodePort: 30080)
        let endpoint = EndpointInfo(address: "fd00:10:244:1::5", port: 8080)
        let fragment = builder.fragment(for: service, endpoints: [endpoint])
        let dnat = fragment.chain(KubeProxyNames.endpointChain(port, endpoint))!.rules.map { text.statement($0) }
        #expect(dnat == ["ip6 saddr fd00:10:244:1::5 jump mark-for-masquerade", "meta l4proto tcp dnat ip6 to [fd00:10:244:1::5]:8080"])
        let services = builder.fixedChains.first { $0.name == "services" }!.rules.map { text.statement($0) }
        #expect(services == ["ip6 daddr . meta l4proto . th dport vmap @service-ips",
                             "fib daddr type local ip6 daddr != ::1 meta l4proto . th dport vmap @service-nodeports"])
        #expect(fragment.elements.first { $0.map == .serviceIPs }?.key.count == 24)
        #expect(builder.fixedChains.first { $0.name == "reject-chain" }!.rules[0].expressions == [.reject(type: .icmpUnreachable, code: 4)])
    }

    @Test func portsOfTheOtherFamilyContributeNothing() {
        let fragment = builder.fragment(for: ServicePortInfo(name: Fixture.port(), clusterIP: "fd00::10", port: 80),
                                        endpoints: Fixture.endpoints(["10.244.1.5"]))
        #expect(fragment == ServiceFragment())
    }

    @Test func serviceKeysAreTheConcatenationOfAddressProtocolAndPort() {
        for proto in TransportProtocol.allCases {
            for address in [NFValue.ipv4("172.30.0.41")!, NFValue.ipv6("fd00:10:96::1")!] {
                #expect(builder.serviceKey(address, proto, 8443)
                        == NFElement.concatenatedKey(address, [proto.number], NFValue.port(8443)))
            }
            #expect(builder.nodePortKey(proto, 30080) == NFElement.concatenatedKey([proto.number], NFValue.port(30080)))
        }
    }

    @Test func dispatchMapKeysCountEndpointsPastTheSharedKeys() throws {
        var transaction = NFTransaction()
        let targets = (0..<70).map { "endpoint-\($0)" }
        ProxyRule.randomDispatch(targets).add(to: &transaction, chain: "service-x", family: .ip)
        let elements = try #require(transaction.operations.lazy.compactMap { operation -> [NFElement]? in
            if case .addElements(_, let elements) = operation { return elements }
            return nil
        }.first)
        #expect(elements.map(\.key) == (0..<70).map { NFValue.host32(UInt32($0)) })
        #expect(elements.map(\.value) == targets.map { .verdict(.goto($0)) })
    }
}
