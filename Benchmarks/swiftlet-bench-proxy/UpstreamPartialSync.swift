/// The `nft -f` input upstream kube-proxy's nftables mode writes for a partial sync, derived
/// from the ruleset before and after a change (pkg/proxy/nftables/proxier.go, syncProxyRules):
///
/// - every chain of a changed service port (its service chain and all its endpoint chains) is
///   declared, flushed and written again (`ensureChain` + the rules), never only the new one;
/// - map and set elements that are new or carry a new value are added, gone ones deleted, and
///   the elements leading to a rewritten chain are added again;
/// - chains no longer used are flushed in the same transaction and remembered as stale; a later
///   sync deletes the ones stale for at least a second, in a transaction of its own run first.
///
/// Upstream also runs `nft list chains` on every sync to find stale chains; the peer here knows
/// them from the diff and skips that exec, which only makes the peer cheaper.
struct UpstreamPartialSync {
    private(set) var current: RulesetModel
    /// Chains flushed as unused, with when (monotonic nanoseconds).
    private var staleChains: [String: UInt64] = [:]

    init(current: RulesetModel) {
        self.current = current
    }

    /// The transactions for moving the kernel from `current` to `next` at `now`: the deletion
    /// of chains stale for a second or more (nil when there are none) and the sync itself.
    mutating func transactions(to next: RulesetModel, now: UInt64) -> (deleteStale: String?, sync: String) {
        let table = next.table
        var deletions = ""
        for (chain, since) in staleChains.sorted(by: { $0.key < $1.key }) where now - since >= 1_000_000_000 && next.chains[chain] == nil {
            deletions += "delete chain \(table) \(chain)\n"
            staleChains[chain] = nil
        }

        var changedPorts = Set<Substring>()
        var changedFixedChains: [String] = []
        for (chain, rules) in next.chains where current.chains[chain] != rules {
            if RulesetModel.isServiceChain(chain) {
                changedPorts.insert(RulesetModel.servicePort(ofChain: chain))
            } else {
                changedFixedChains.append(chain)
            }
        }
        let unused = current.chains.keys.filter { next.chains[$0] == nil }.sorted()
        for chain in unused where RulesetModel.isServiceChain(chain) { changedPorts.insert(RulesetModel.servicePort(ofChain: chain)) }
        let rewritten = (changedFixedChains + next.chains.keys.filter {
            RulesetModel.isServiceChain($0) && changedPorts.contains(RulesetModel.servicePort(ofChain: $0))
        }).sorted()

        var sync = ""
        for (map, elements) in current.elements.sorted(by: { $0.key < $1.key }) {
            for (key, value) in elements.sorted(by: { $0.key < $1.key }) where next.elements[map]?[key] != value {
                sync += "delete element \(table) \(map) { \(key) }\n"
            }
        }
        for chain in rewritten { sync += "add chain \(table) \(chain)\nflush chain \(table) \(chain)\n" }
        for chain in rewritten {
            for rule in next.chains[chain] ?? [] { sync += "add rule \(table) \(chain) \(rule)\n" }
        }
        // New and changed elements, and those of the rewritten service ports again (upstream
        // writes every element of a service it updates; adding an unchanged one is a no-op).
        let rewrittenSet = Set(rewritten)
        for (map, elements) in next.elements.sorted(by: { $0.key < $1.key }) {
            for (key, value) in elements.sorted(by: { $0.key < $1.key })
            where current.elements[map]?[key] != value || (value.hasPrefix("goto ") && rewrittenSet.contains(String(value.dropFirst(5)))) {
                sync += "add element \(table) \(map) { \(key)\(value.isEmpty ? "" : " : \(value)") }\n"
            }
        }
        for chain in unused {
            sync += "flush chain \(table) \(chain)\n"
            staleChains[chain] = now
        }
        for chain in next.chains.keys where staleChains[chain] != nil { staleChains[chain] = nil }
        current = next
        return (deletions.isEmpty ? nil : deletions, sync)
    }
}
