import NFTables

/// Writes full and partial syncs of the `kube-proxy` table into one `NFTransaction` each.
struct RulesetTransaction {
    let builder: RulesetBuilder
    var transaction = NFTransaction()

    init(builder: RulesetBuilder) {
        self.builder = builder
    }

    private var family: NFFamily { builder.family.tableFamily }
    private var dispatch: ProxyConfiguration.EndpointDispatch { builder.configuration.endpointDispatch }
    private var table: String { KubeProxyNames.table }

    private func chain(_ name: String) -> NFChain { NFChain(family: family, table: table, name: name) }

    /// A full sync: the table and its fixed part re-created and flushed, every fragment written,
    /// every map refilled from the ledger. Service chains in the kernel that no fragment has are
    /// flushed (to be deleted later, see `staleChains`); affinity sets no fragment has are deleted.
    ///
    /// - Parameters:
    ///   - existingChains: the chain names the table holds now (empty when it does not exist).
    ///   - existingSets: the set names the table holds now.
    ///   - recreateBaseChains: add and delete the base chains first, so changed hooks or
    ///     priorities take effect (done once per process, as upstream does).
    /// - Returns: the stale service chains that were flushed.
    mutating func writeFullSync(fragments: [(ServicePortName, ServiceFragment)], ledger: ElementLedger,
                                existingChains: Set<String>, existingSets: Set<String>, recreateBaseChains: Bool) -> [String] {
        transaction.add(NFTable(family: family, name: table))
        let baseChains = builder.baseChainObjects
        if recreateBaseChains {
            for base in baseChains {
                transaction.add(base)
                transaction.delete(base)
            }
        }
        for base in baseChains {
            transaction.add(base)
            if !recreateBaseChains, existingChains.contains(base.name) { transaction.flush(base) }
        }
        let fixed = builder.fixedChains
        let baseNames = Set(baseChains.map(\.name))
        for fixedChain in fixed where !baseNames.contains(fixedChain.name) {
            transaction.add(chain(fixedChain.name))
            if existingChains.contains(fixedChain.name) { transaction.flush(chain(fixedChain.name)) }
        }

        // Room for every operation: a chain (and its flush), its rules (a dispatch rule also adds
        // a map and its elements), the affinity sets and the map elements.
        var operationCount = 64 + ProxyMap.allCases.count + fixed.reduce(0) { $0 + 2 + $1.rules.count * 3 }
        for (_, fragment) in fragments {
            operationCount += fragment.affinitySets.count
            for serviceChain in fragment.chains { operationCount += 2 + serviceChain.rules.count * 3 }
        }
        transaction.reserveCapacity(transaction.operations.count + operationCount)

        // What the fragments want is collected only when the kernel holds service chains or
        // affinity sets that might be stale (never on the first sync).
        let existingServiceChains = existingChains.filter(KubeProxyNames.isServiceChain)
        let existingAffinitySets = existingSets.filter(KubeProxyNames.isAffinitySet)
        var desiredChains = Set<String>()
        var desiredSets = Set<String>()
        if !existingServiceChains.isEmpty || !existingAffinitySets.isEmpty {
            for (_, fragment) in fragments {
                for serviceChain in fragment.chains where existingServiceChains.contains(serviceChain.name) {
                    desiredChains.insert(serviceChain.name)
                }
                for set in fragment.affinitySets where existingAffinitySets.contains(set.name) { desiredSets.insert(set.name) }
            }
        }
        // Stale chains are flushed before anything else refers to sets they used.
        let stale = existingServiceChains.filter { !desiredChains.contains($0) }.sorted()
        for name in stale { transaction.flush(chain(name)) }

        for set in builder.fixedSets { transaction.add(set) }
        let nodePortIPs = NFSetReference(family: family, table: table, name: KubeProxyNames.nodePortIPs)
        if builder.nodePortsOnAllAddresses {
            transaction.add(NFSet(family: family, table: table, name: KubeProxyNames.nodePortIPs, keyType: [builder.family.addressType]))
            transaction.delete(nodePortIPs)
        } else {
            transaction.flush(nodePortIPs)
            transaction.add(builder.nodePortIPElements, to: nodePortIPs)
        }
        for map in ProxyMap.allCases where existingSets.contains(map.rawValue) { transaction.flush(map.reference(builder.family)) }

        for fixedChain in fixed {
            for rule in fixedChain.rules { rule.add(to: &transaction, chain: fixedChain.name, family: family, dispatch: dispatch) }
        }

        for (_, fragment) in fragments {
            for set in fragment.affinitySets { transaction.add(set.set(builder.family)) }
            for serviceChain in fragment.chains {
                transaction.add(chain(serviceChain.name))
                // Only chains the kernel holds need a flush; on the first sync none does, and no
                // name is hashed to find that out.
                if !existingServiceChains.isEmpty, existingServiceChains.contains(serviceChain.name) {
                    transaction.flush(chain(serviceChain.name))
                }
            }
        }
        for (_, fragment) in fragments {
            for serviceChain in fragment.chains {
                for rule in serviceChain.rules { rule.add(to: &transaction, chain: serviceChain.name, family: family, dispatch: dispatch) }
            }
        }
        for (map, elements) in ledger.elementsByMap.sorted(by: { $0.key < $1.key }) {
            transaction.add(elements, to: map.reference(builder.family))
        }
        for name in existingAffinitySets.sorted() where !desiredSets.contains(name) {
            transaction.delete(NFSetReference(family: family, table: table, name: name))
        }
        return stale
    }

    /// A partial sync of the service ports that changed: new chains added, changed chains flushed
    /// and rewritten, unchanged chains left alone, changed map elements deleted and re-added,
    /// chains no longer wanted flushed (and returned, to be deleted later), affinity sets no longer
    /// wanted deleted.
    mutating func writePartialSync(changes: [(name: ServicePortName, old: AppliedFragment?, new: ServiceFragment?)],
                                   elementChanges: [(slot: ProxyMapElement.Slot, before: NFVerdict??, after: NFVerdict??)]) -> [String] {
        var removedChains: [String] = []
        var removedSets: [String] = []
        // Sets and chains first, so that rules and elements can refer to them.
        for change in changes {
            let oldSets = Set(change.old?.affinitySets.map(\.name) ?? [])
            for set in change.new?.affinitySets ?? [] where !oldSets.contains(set.name) {
                transaction.add(set.set(builder.family))
            }
            for serviceChain in change.new?.chains ?? [] where change.old?.chainDigests[serviceChain.name] == nil {
                transaction.add(chain(serviceChain.name))
                // A chain that went stale earlier is still in the kernel, already flushed.
            }
        }
        for change in changes {
            for serviceChain in change.new?.chains ?? [] {
                let oldDigest = change.old?.chainDigests[serviceChain.name]
                if let oldDigest, oldDigest == serviceChain.rules.hashValue { continue }
                if oldDigest != nil { transaction.flush(chain(serviceChain.name)) }
                for rule in serviceChain.rules { rule.add(to: &transaction, chain: serviceChain.name, family: family, dispatch: dispatch) }
            }
        }
        var deletions: [ProxyMap: [NFElement]] = [:]
        var additions: [ProxyMap: [NFElement]] = [:]
        for change in elementChanges {
            if case .some = change.before { deletions[change.slot.map, default: []].append(NFElement(key: change.slot.key)) }
            if case .some(let verdict) = change.after {
                additions[change.slot.map, default: []].append(NFElement(key: change.slot.key, value: verdict.map { .verdict($0) }))
            }
        }
        for (map, elements) in deletions.sorted(by: { $0.key < $1.key }) { transaction.delete(elements, from: map.reference(builder.family)) }
        for (map, elements) in additions.sorted(by: { $0.key < $1.key }) { transaction.add(elements, to: map.reference(builder.family)) }

        for change in changes {
            let newChains = Set(change.new?.chains.map(\.name) ?? [])
            for name in (change.old?.chainDigests.keys).map(Array.init) ?? [] where !newChains.contains(name) {
                transaction.flush(chain(name))
                removedChains.append(name)
            }
            let newSets = Set(change.new?.affinitySets.map(\.name) ?? [])
            for set in change.old?.affinitySets ?? [] where !newSets.contains(set.name) { removedSets.append(set.name) }
        }
        for name in removedSets {
            transaction.delete(NFSetReference(family: family, table: table, name: name))
        }
        return removedChains
    }
}
