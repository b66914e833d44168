import NFTables
import Testing
@testable import ServiceProxy

/// The partial-sync transaction as data: which operations a change produces.
@Suite("Partial sync transactions")
struct PartialSyncTests {
    let builder = Fixture.builder()
    let port = Fixture.port()

    func verbs(_ transaction: NFTransaction) -> [String] {
        transaction.operations.map { "\($0.verb) \($0.object)" }
    }

    @Test func removingOneEndpointRewritesTheServiceChainAndFlushesTheEndpointChainOnly() {
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80)
        let before = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.1.5", "10.244.2.5", "10.244.3.5"]))
        let after = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.1.5", "10.244.2.5"]))
        var ledger = ElementLedger()
        _ = ledger.replace(owner: port, old: [], new: before.elements)
        let elementChanges = ledger.replace(owner: port, old: before.elements, new: after.elements)
        #expect(elementChanges.isEmpty)

        var writer = RulesetTransaction(builder: builder)
        let stale = writer.writePartialSync(changes: [(port, AppliedFragment(before), after)], elementChanges: elementChanges)
        let serviceChain = KubeProxyNames.clusterPolicyChain(port)
        let removed = KubeProxyNames.endpointChain(port, EndpointInfo(address: "10.244.3.5", port: 8080))
        #expect(stale == [removed])
        #expect(verbs(writer.transaction) == [
            "flush chain ip kube-proxy \(serviceChain)",
            "add rule ip kube-proxy \(serviceChain)",
            "add map ip kube-proxy __map%d",
            "add element ip kube-proxy __map%d",
            "add rule ip kube-proxy \(serviceChain)",
            "flush chain ip kube-proxy \(removed)",
        ])
    }

    @Test func aServiceLosingItsLastEndpointMovesItsElementToTheRejectMap() {
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80)
        let before = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.1.5"]))
        let after = builder.fragment(for: service, endpoints: [])
        var ledger = ElementLedger()
        _ = ledger.replace(owner: port, old: [], new: before.elements)
        let changes = ledger.replace(owner: port, old: before.elements, new: after.elements)
        var writer = RulesetTransaction(builder: builder)
        let stale = writer.writePartialSync(changes: [(port, AppliedFragment(before), after)], elementChanges: changes)
        #expect(Set(stale) == Set(before.chains.map(\.name)))
        let operations = verbs(writer.transaction)
        #expect(operations.contains("delete element ip kube-proxy service-ips"))
        #expect(operations.contains("add element ip kube-proxy no-endpoint-services"))
        #expect(!operations.contains { $0.hasPrefix("add rule") })
    }

    @Test func elementsSharedByPortsOfOneServiceStayUntilTheLastOwnerGoes() {
        let other = Fixture.port(portName: "p443")
        let first = [ProxyMapElement(map: .clusterIPs, key: Fixture.ip("10.96.0.10"))]
        var ledger = ElementLedger()
        #expect(ledger.replace(owner: port, old: [], new: first).count == 1)
        #expect(ledger.replace(owner: other, old: [], new: first).isEmpty)
        #expect(ledger.replace(owner: port, old: first, new: []).isEmpty)
        let last = ledger.replace(owner: other, old: first, new: [])
        #expect(last.count == 1)
        #expect(ledger.count == 0)
    }

    @Test func aSlotClaimedByTwoPortsCarriesTheFirstOwnersVerdictUntilThatOwnerLeaves() {
        let other = Fixture.port("api")
        let key = Fixture.ip("192.0.2.7") + [6, 0, 80]
        let mine = [ProxyMapElement(map: .serviceIPs, key: key, verdict: .goto("external-mine"))]
        let theirs = [ProxyMapElement(map: .serviceIPs, key: key, verdict: .goto("external-theirs"))]
        let slot = ProxyMapElement.Slot(map: .serviceIPs, key: key)
        var ledger = ElementLedger()
        ledger.add(owner: port, mine)
        // `api` sorts before `web`: its claim decides the programmed verdict.
        let claimed = ledger.replace(owner: other, old: [], new: theirs)
        #expect(claimed.count == 1)
        #expect(ledger.value(of: slot) == .some(.goto("external-theirs")))

        var names: [String: String] = [:]
        let compacted = ledger.compacted(names: &names)
        #expect(compacted.value(of: slot) == ledger.value(of: slot))
        #expect(compacted.elementsByMap == ledger.elementsByMap)

        let released = ledger.replace(owner: other, old: theirs, new: [])
        #expect(released.count == 1)
        #expect(ledger.value(of: slot) == .some(.goto("external-mine")))
        #expect(ledger.replace(owner: port, old: mine, new: []).count == 1)
        #expect(ledger.count == 0)
    }

    @Test func aPackedFragmentUnpacksToExactlyTheAppliedFragmentAndIsSmallerThanItsNamesKeysAndDigests() {
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, nodePort: 30080,
                                      loadBalancerIPs: ["192.0.2.10"], loadBalancerSourceRanges: [CIDR("203.0.113.0/24")!],
                                      sessionAffinity: .clientIP(timeoutSeconds: 600))
        let fragment = builder.fragment(for: service, endpoints: Fixture.endpoints(["10.244.1.5", "10.244.2.5"]))
        let applied = AppliedFragment(fragment)
        #expect(!applied.affinitySets.isEmpty && applied.elements.count > 3)
        let packed = PackedFragment(fragment, port: port)
        #expect(packed == PackedFragment(applied, port: port))
        #expect(packed.unpacked(port: port) == applied)
        let objects = packed.objectNames(port: port)
        #expect(Set(objects.chains) == Set(applied.chainDigests.keys))
        #expect(objects.sets == applied.affinitySets.map(\.name))
        // Less than its names, keys and digests alone: the port's path is stored once (not at all).
        let names = applied.chainDigests.keys.map(\.utf8.count) + applied.affinitySets.map(\.name.utf8.count)
            + applied.elements.map { ($0.verdict?.chain?.utf8.count ?? 0) + $0.key.count }
        #expect(packed.bytes.count < names.reduce(8 * applied.chainDigests.count, +))
    }

    @Test func namesWithoutThePortsPathAndVerdictsOutsideTheFragmentSurvivePacking() {
        let applied = AppliedFragment(
            elements: [
                ProxyMapElement(map: .noEndpointServices, key: Fixture.serviceKey("10.96.0.10", .tcp, 80), verdict: .goto(KubeProxyNames.rejectChain)),
                ProxyMapElement(map: .firewallIPs, key: [], verdict: .drop),
                ProxyMapElement(map: .serviceIPs, key: [1, 2, 3], verdict: .jump("odd-chain")),
                ProxyMapElement(map: .clusterIPs, key: Fixture.ip("10.96.0.10")),
            ],
            chainDigests: ["odd-chain": -1, "other-\(PackedFragment.path(of: port))-tail": Int.max, String(repeating: "x", count: 300): 0],
            affinitySets: [AffinitySet(name: "affinity-set", timeoutSeconds: .max)])
        let packed = PackedFragment(applied, port: port)
        #expect(packed.unpacked(port: port) == applied)
        // The same bytes read for another port give that port's path back, not this one's.
        let other = Fixture.port("api")
        #expect(packed.unpacked(port: other).chainDigests.keys.contains("other-\(PackedFragment.path(of: other))-tail"))
    }

    @Test func theAppliedStateKeepsEachServicesPortsAndCountsThem() {
        let second = Fixture.port(portName: "p443")
        let elsewhere = Fixture.port("db")
        let fragment = PackedFragment(builder.fragment(for: ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80), endpoints: []), port: port)
        var state = AppliedState()
        state.set(port, packed: fragment)
        state.set(second, packed: fragment)
        state.set(elsewhere, packed: fragment)
        #expect(state.count == 3)
        #expect(state.ports(of: port.service) == [port, second].sorted())
        #expect(state.packed(second) == fragment)
        state.set(port, packed: nil)
        state.set(port, packed: nil)
        #expect(state.count == 2)
        #expect(state.ports(of: port.service) == [second])
        #expect(state.fragment(port) == nil)
        var seen: [ServicePortName] = []
        state.copied().forEach { name, copy in
            seen.append(name)
            #expect(copy == fragment)
        }
        #expect(seen.sorted() == [second, elsewhere].sorted())
        state.set(second, packed: nil)
        state.set(elsewhere, packed: nil)
        #expect(state.count == 0 && state.ports(of: port.service).isEmpty)
    }

    @Test func anInlineDictionaryHoldsOneEntryInlineAndBecomesNilWhenEmptied() {
        var entries: InlineDictionary<String, Int>? = nil
        entries.set("a", 1)
        #expect(entries == .one("a", 1))
        entries.set("b", 2)
        #expect(entries?.dictionary == ["a": 1, "b": 2])
        #expect(entries?["b"] == 2 && entries?["c"] == nil)
        entries.set("a", nil)
        #expect(entries == .one("b", 2))
        entries.set("b", nil)
        #expect(entries == nil)
        entries.set("c", nil)
        #expect(entries == nil)
        #expect(InlineDictionary<String, Int>([:]) == nil)
    }

    @Test func udpEndpointRemovalDeletesFlowsToEveryServiceAddressFromThatEndpoint() {
        let service = ServicePortInfo(name: Fixture.port(protocol: .udp), clusterIP: "10.96.0.53", port: 53, nodePort: 30053,
                                      externalIPs: ["192.0.2.7"])
        let old = UDPView(service: service, endpoints: Fixture.endpoints(["10.244.1.9", "10.244.2.9"], port: 5353), family: .ipv4)
        let new = UDPView(service: service, endpoints: Fixture.endpoints(["10.244.2.9"], port: 5353), family: .ipv4)
        let gone = Fixture.ip("10.244.1.9")
        #expect(UDPView.staleFilters(old: old, new: new) == [
            ConntrackFilter(destination: Fixture.ip("10.96.0.53"), destinationPort: 53, replySource: gone),
            ConntrackFilter(destination: Fixture.ip("192.0.2.7"), destinationPort: 53, replySource: gone),
            ConntrackFilter(destinationPort: 30053, replySource: gone),
        ])
        // A service that gets its first endpoint loses the flows that were never DNATed.
        let empty = UDPView(service: service, endpoints: [], family: .ipv4)
        #expect(UDPView.staleFilters(old: empty, new: new) == [
            ConntrackFilter(destination: Fixture.ip("10.96.0.53"), destinationPort: 53, replySource: Fixture.ip("10.96.0.53")),
            ConntrackFilter(destination: Fixture.ip("192.0.2.7"), destinationPort: 53, replySource: Fixture.ip("192.0.2.7")),
        ])
        #expect(UDPView(service: ServicePortInfo(name: Fixture.port(), clusterIP: "10.96.0.10", port: 80), endpoints: [], family: .ipv4) == nil)
    }
}
