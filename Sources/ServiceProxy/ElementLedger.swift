import NFTables

/// Which service ports want which element in the shared sets and maps. Several ports can want
/// the same element (all ports of a service share its `cluster-ips` entry; two services may
/// claim one external IP and port): the element stays while any owner wants it, and the value
/// programmed is the one of the first owner by name.
struct ElementLedger: Sendable {
    /// The owners of one slot. Almost every slot has one, kept inline (a dictionary per slot
    /// would cost a heap object for each of the cluster's elements).
    enum Claims: Sendable {
        case one(ServicePortName, NFVerdict?)
        case many([ServicePortName: NFVerdict?])

        /// The value of the first owner by name.
        var value: NFVerdict? {
            switch self {
            case .one(_, let verdict): verdict
            case .many(let claims): claims.min(by: { $0.key < $1.key })!.value
            }
        }

        /// These claims with `owner`'s replaced (nil removes it); nil when nobody is left.
        func setting(_ owner: ServicePortName, _ verdict: NFVerdict??) -> Claims? {
            var claims: [ServicePortName: NFVerdict?]
            switch self {
            case .one(let name, let value):
                if name == owner {
                    guard case .some(let new) = verdict else { return nil }
                    return .one(owner, new)
                }
                claims = [name: value]
            case .many(let existing):
                claims = existing
            }
            claims[owner] = verdict
            if claims.count == 1, let only = claims.first { return .one(only.key, only.value) }
            return claims.isEmpty ? nil : .many(claims)
        }
    }

    private var owners: [ProxyMapElement.Slot: Claims] = [:]

    /// The programmed value of a slot: nil when absent, `.some(verdict)` when present.
    func value(of slot: ProxyMapElement.Slot) -> NFVerdict?? {
        guard let claims = owners[slot] else { return nil }
        return .some(claims.value)
    }

    /// Every present element, by map.
    var elementsByMap: [ProxyMap: [NFElement]] {
        var result: [ProxyMap: [NFElement]] = [:]
        for (slot, claims) in owners {
            result[slot.map, default: []].append(NFElement(key: slot.key, value: claims.value.map { .verdict($0) }))
        }
        return result
    }

    var count: Int { owners.count }

    /// Reserves room for `count` slots (a full sync knows roughly how many it will record).
    mutating func reserveCapacity(_ count: Int) { owners.reserveCapacity(count) }

    /// This ledger in storage of its own (see `FreshStorage`).
    func compacted(names: inout [String: String]) -> ElementLedger {
        var copy = ElementLedger()
        copy.owners.reserveCapacity(owners.count)
        for (slot, claims) in owners {
            let fresh: Claims = switch claims {
            case .one(let owner, let verdict): .one(owner, FreshStorage.verdict(verdict, names: &names))
            case .many(let all): .many(all.mapValues { FreshStorage.verdict($0, names: &names) })
            }
            copy.owners[ProxyMapElement.Slot(map: slot.map, key: FreshStorage.bytes(slot.key))] = fresh
        }
        return copy
    }

    /// Records what `owner` wants, for a full sync that builds the ledger from nothing (no
    /// changes to report).
    mutating func add(owner: ServicePortName, _ elements: [ProxyMapElement]) {
        for element in elements { claim(element, by: owner) }
    }

    private mutating func claim(_ element: ProxyMapElement, by owner: ServicePortName) {
        if let claims = owners[element.slot] {
            owners[element.slot] = claims.setting(owner, .some(element.verdict))
        } else {
            owners[element.slot] = .one(owner, element.verdict)
        }
    }

    /// Replaces what `owner` wants and returns the slots whose programmed value changed, with
    /// the value before and after.
    mutating func replace(owner: ServicePortName, old: [ProxyMapElement], new: [ProxyMapElement])
        -> [(slot: ProxyMapElement.Slot, before: NFVerdict??, after: NFVerdict??)] {
        var touched: [ProxyMapElement.Slot: NFVerdict??] = [:]
        for element in old where touched[element.slot] == nil { touched[element.slot] = value(of: element.slot) }
        for element in new where touched[element.slot] == nil { touched[element.slot] = value(of: element.slot) }
        for element in old {
            owners[element.slot] = owners[element.slot]?.setting(owner, nil)
        }
        for element in new { claim(element, by: owner) }
        var changes: [(slot: ProxyMapElement.Slot, before: NFVerdict??, after: NFVerdict??)] = []
        for (slot, before) in touched {
            let after = value(of: slot)
            if before != after { changes.append((slot, before, after)) }
        }
        return changes
    }
}
