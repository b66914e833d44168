import Foundation
import NFTables
import Testing
@testable import ServiceProxy

/// The proxier against the kernel, each test in a network namespace it creates; `nft` (and
/// `nft -j list ruleset`) is the independent reader.
@Suite("Proxier against the kernel", .serialized, .kernel)
struct ProxierKernelTests {
    func makeProxier(_ namespace: TestNamespace, metrics: ProxyMetrics? = nil,
                     dispatch: ProxyConfiguration.EndpointDispatch = .verdictMap) throws -> NFTablesProxier {
        NFTablesProxier(configuration: Fixture.configuration(dispatch: dispatch), connection: try NetfilterConnection(networkNamespace: namespace.path),
                        conntrack: try NetlinkConntrack(networkNamespace: namespace.path), metrics: metrics)
    }

    /// The fragments the proxier should have programmed for the sample services.
    func expectedFragments(_ builder: RulesetBuilder) -> [(ServicePortName, ServiceFragment)] {
        var tracker = EndpointSliceTracker(family: .ipv4, hostname: Fixture.node)
        for slice in SampleServices.slices() { tracker.update(slice) }
        return SampleServices.ports().values.flatMap { $0 }.sorted { $0.name < $1.name }.map {
            ($0.name, builder.fragment(for: $0, endpoints: tracker.endpoints(for: $0.name)))
        }
    }

    @Test(arguments: [ProxyConfiguration.EndpointDispatch.verdictMap, .sequentialRules])
    func fullSyncReadsBackAsTheModelAndAsNftLoadingTheRenderedText(dispatch: ProxyConfiguration.EndpointDispatch) async throws {
        let ours = try TestNamespace("ours")
        let proxier = try makeProxier(ours, dispatch: dispatch)
        await SampleServices.load(into: proxier)
        let report = try #require(try await proxier.sync())
        #expect(report.full)

        // Read back through netlink and compare with the model, chain by chain.
        var reader = try NetfilterConnection(networkNamespace: ours.path)
        let ruleset = try #require(try reader.listRuleset(family: .ip, table: "kube-proxy"))
        let builder = RulesetBuilder(configuration: Fixture.configuration(dispatch: dispatch))
        let fragments = expectedFragments(builder)
        let modelChains = builder.fixedChains + fragments.flatMap { $0.1.chains }
        #expect(Set(ruleset.chains.map(\.name)) == Set(modelChains.map(\.name)))
        for chain in modelChains where dispatch == .sequentialRules {
            // Each dispatch is its N kernel rules; everything else one rule each.
            let expected = chain.rules.flatMap { $0.dispatchTargets.isEmpty ? [$0.expressions] : $0.sequentialDispatch }
            #expect(ruleset.rules(inChain: chain.name).map(\.expressions) == expected, "chain \(chain.name)")
        }
        for chain in modelChains where dispatch == .verdictMap {
            let programmed = ruleset.rules(inChain: chain.name)
            #expect(programmed.count == chain.rules.count, "chain \(chain.name)")
            for (rule, model) in zip(programmed, chain.rules) where model.dispatchTargets.isEmpty {
                #expect(rule.expressions == model.expressions, "chain \(chain.name)")
            }
            for (rule, model) in zip(programmed, chain.rules) where !model.dispatchTargets.isEmpty {
                guard case .lookup(let map, _, _, _) = rule.expressions.last else {
                    Issue.record("dispatch rule of \(chain.name) does not end in a lookup")
                    continue
                }
                let targets = (ruleset.elements[map.name] ?? []).sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
                #expect(targets == model.dispatchTargets.map { .verdict(.goto($0)) }, "chain \(chain.name)")
            }
        }
        var ledger = ElementLedger()
        for (name, fragment) in fragments { _ = ledger.replace(owner: name, old: [], new: fragment.elements) }
        for map in ProxyMap.allCases {
            #expect(Set(ruleset.elements[map.rawValue] ?? []) == Set(ledger.elementsByMap[map] ?? []), "map \(map.rawValue)")
        }
        let affinity = ruleset.sets.filter { $0.name.hasPrefix("affinity-") }
        #expect(affinity.count == 2)
        #expect(affinity.allSatisfy { $0.timeoutMilliseconds == 600_000 })

        // nft -f of the rendered text in another namespace holds the same ruleset.
        let peer = try TestNamespace("peer")
        let text = await proxier.rulesetText()
        try peer.nft(["-f", "-"], input: text)
        let oursJSON = try ours.nft(["-j", "list", "ruleset"])
        let comparable = try NftJSON.comparable(oursJSON)
        #expect(comparable.count > 80)
        let peerComparable = try NftJSON.comparable(try peer.nft(["-j", "list", "ruleset"]))
        #expect(comparable == peerComparable)
        // And nft itself prints the dispatch the way upstream's rules read.
        let services = try NftJSON.rules(chain: "services", in: oursJSON)
        #expect(services.first?.contains("\"vmap\"") == true)
        #expect(services.first?.contains("@service-ips") == true)
    }

    @Test func endpointChangeRewritesOnlyThatServicesChainsAndElements() async throws {
        let namespace = try TestNamespace("partial")
        let proxier = try makeProxier(namespace)
        await SampleServices.load(into: proxier)
        try await proxier.sync()
        var reader = try NetfilterConnection(networkNamespace: namespace.path)
        let before = try #require(try reader.listRuleset(family: .ip, table: "kube-proxy"))

        // One web endpoint goes away.
        let changed = await proxier.updateEndpointSlice(SampleServices.slice(SampleServices.web, ["10.244.1.5", "10.244.2.5"],
                                                                             ports: [.init(name: "http", port: 8080)]))
        #expect(changed)
        let report = try #require(try await proxier.sync())
        #expect(!report.full)
        #expect(report.servicePortsWritten == 1)
        #expect(report.batchBytes > 0)
        #expect(report.duration >= report.commitDuration)
        #expect(report.commitDuration >= report.kernelDuration)
        let after = try #require(try reader.listRuleset(family: .ip, table: "kube-proxy"))

        let web = ServicePortName(service: SampleServices.web, port: "http", protocol: .tcp)
        let webChain = KubeProxyNames.clusterPolicyChain(web)
        let removed = KubeProxyNames.endpointChain(web, EndpointInfo(address: "10.244.3.5", port: 8080))
        // Every other chain kept its rules, handles included: nothing else was rewritten.
        for chain in before.chains.map(\.name) where chain != webChain && chain != removed {
            #expect(after.rules(inChain: chain) == before.rules(inChain: chain), "chain \(chain)")
        }
        #expect(after.rules(inChain: webChain).count == 2)
        #expect(after.rules(inChain: webChain) != before.rules(inChain: webChain))
        // The removed endpoint's chain is flushed now and deleted after the stale delay.
        #expect(after.rules(inChain: removed).isEmpty)
        #expect(after.chains.contains { $0.name == removed })
        await proxier.setStaleChainDelay(.zero)
        try await proxier.sync()
        let later = try reader.listChains(family: .ip, table: "kube-proxy")
        #expect(!later.contains { $0.name == removed })
    }

    @Test func aRequestedFullSyncFromTheKnownStateFlushesTheChainsOfAServiceRemovedMeanwhile() async throws {
        let namespace = try TestNamespace("refull")
        let proxier = try makeProxier(namespace)
        await SampleServices.load(into: proxier)
        try await proxier.sync()
        let web = ServicePortName(service: SampleServices.web, port: "http", protocol: .tcp)
        let route = try #require(await proxier.routes().first { $0.service.name == web })
        let webChains = Set(Fixture.builder().fragment(for: route.service, endpoints: route.endpoints).chains.map(\.name))
        #expect(!webChains.isEmpty)

        await proxier.updateService(SampleServices.web, ports: nil)
        await proxier.requestFullSync()
        let report = try #require(try await proxier.sync())
        #expect(report.full)
        var reader = try NetfilterConnection(networkNamespace: namespace.path)
        let after = try #require(try reader.listRuleset(family: .ip, table: "kube-proxy"))
        for chain in webChains {
            #expect(after.chains.contains { $0.name == chain }, "chain \(chain) waits for the stale delay")
            #expect(after.rules(inChain: chain).isEmpty, "chain \(chain)")
        }
        // The flushed chains are deleted after the stale delay.
        await proxier.setStaleChainDelay(.zero)
        try await proxier.sync()
        let later = Set(try reader.listChains(family: .ip, table: "kube-proxy").map(\.name))
        #expect(later.isDisjoint(with: webChains))
    }

    @Test func failedBatchLeavesThePreviousRulesAndTheNextSyncIsFull() async throws {
        let namespace = try TestNamespace("fail")
        let metrics = ProxyMetrics()
        let proxier = try makeProxier(namespace, metrics: metrics)
        await SampleServices.load(into: proxier)
        try await proxier.sync()

        // Behind the proxier's back, remove the sticky service's endpoint chain (and what refers
        // to it), so the next partial sync's flush of that chain is rejected.
        let sticky = ServicePortName(service: SampleServices.sticky, port: "", protocol: .tcp)
        let endpoint = EndpointInfo(address: "10.244.2.5", port: 8080)
        let chain = KubeProxyNames.endpointChain(sticky, endpoint)
        try namespace.nft(["flush", "chain", "ip", "kube-proxy", KubeProxyNames.clusterPolicyChain(sticky)])
        try namespace.nft(["delete", "chain", "ip", "kube-proxy", chain])
        let broken = try namespace.nft(["-j", "list", "ruleset"])

        await proxier.updateEndpointSlice(SampleServices.slice(SampleServices.sticky, ["10.244.1.5", "10.244.2.5"],
                                                               ports: [.init(port: 9090)]))
        await #expect(throws: NFTablesError.self) { try await proxier.sync() }
        #expect(try namespace.nft(["-j", "list", "ruleset"]) == broken)
        #expect(metrics.prometheusText().contains("kubeproxy_sync_proxy_rules_nftables_sync_failures_total{ip_family=\"IPv4\"} 1"))

        let report = try #require(try await proxier.sync())
        #expect(report.full)
        let newChain = KubeProxyNames.endpointChain(sticky, EndpointInfo(address: "10.244.2.5", port: 9090))
        let rules = try NftJSON.rules(chain: newChain, in: try namespace.nft(["-j", "list", "ruleset"]))
        #expect(rules.count == 3)
    }

    @Test(arguments: [ProxyConfiguration.EndpointDispatch.verdictMap, .sequentialRules])
    func programmedRoutesReadBackFromTheKernelNameServicesEndpointsAndPolicies(dispatch: ProxyConfiguration.EndpointDispatch) async throws {
        let namespace = try TestNamespace("routes")
        let proxier = try makeProxier(namespace, dispatch: dispatch)
        await SampleServices.load(into: proxier)
        try await proxier.sync()
        var reader = try NetfilterConnection(networkNamespace: namespace.path)
        let routes = try ProgrammedRoute.read(from: &reader, family: .ipv4)
        func route(_ frontend: String, _ proto: String = "tcp") -> ProgrammedRoute? {
            routes.first { $0.frontend == frontend && $0.protocol == proto }
        }
        #expect(route("10.96.0.10:80") == ProgrammedRoute(servicePort: "default/web/tcp/http", protocol: "tcp", frontend: "10.96.0.10:80",
                                                          endpoints: ["10.244.1.5:8080", "10.244.2.5:8080", "10.244.3.5:8080"],
                                                          policy: "Cluster"))
        #expect(route("*:30080")?.endpoints.count == 3)
        #expect(route("*:30050")?.policy == "Local")
        #expect(route("*:30050")?.endpoints == ["10.244.1.5:8080"])
        #expect(route("10.96.0.20:80")?.policy == "reject")
        #expect(route("10.96.0.53:53", "udp")?.servicePort == "kube-system/dns/udp/dns")
        #expect(route("10.96.0.53:53", "tcp")?.servicePort == "kube-system/dns/tcp/dns-tcp")
        let table = ProgrammedRoute.table(routes)
        #expect(table.hasPrefix("SERVICE"))
        #expect(table.contains("default/web/tcp/http"))
    }
}
