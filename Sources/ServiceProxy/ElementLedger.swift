import NFTables

/// Which service ports want which element in the shared sets and maps. Several ports can want
/// the same element (all ports of a service share its `cluster-ips` entry; two services may
/// claim one external IP and port): the element stays while any owner wants it, and the value
/// programmed is the one of the first owner by name.
struct ElementLedger: Sendable {
    private var owners: [ProxyMapElement.Slot: [ServicePortName: NFVerdict?]] = [:]

    /// The programmed value of a slot: nil when absent, `.some(verdict)` when present.
    func value(of slot: ProxyMapElement.Slot) -> NFVerdict?? {
        guard let claims = owners[slot], let first = claims.min(by: { $0.key < $1.key }) else { return nil }
        return .some(first.value)
    }

    /// Every present element, by map.
    var elementsByMap: [ProxyMap: [NFElement]] {
        var result: [ProxyMap: [NFElement]] = [:]
        for slot in owners.keys {
            guard case .some(let verdict) = value(of: slot) else { continue }
            result[slot.map, default: []].append(NFElement(key: slot.key, value: verdict.map { .verdict($0) }))
        }
        return result
    }

    var count: Int { owners.count }

    /// Replaces what `owner` wants and returns the slots whose programmed value changed, with
    /// the value before and after.
    mutating func replace(owner: ServicePortName, old: [ProxyMapElement], new: [ProxyMapElement])
        -> [(slot: ProxyMapElement.Slot, before: NFVerdict??, after: NFVerdict??)] {
        var touched: [ProxyMapElement.Slot: NFVerdict??] = [:]
        for element in old where touched[element.slot] == nil { touched[element.slot] = value(of: element.slot) }
        for element in new where touched[element.slot] == nil { touched[element.slot] = value(of: element.slot) }
        for element in old {
            owners[element.slot]?[owner] = nil
            if owners[element.slot]?.isEmpty == true { owners[element.slot] = nil }
        }
        for element in new { owners[element.slot, default: [:]][owner] = element.verdict }
        var changes: [(slot: ProxyMapElement.Slot, before: NFVerdict??, after: NFVerdict??)] = []
        for (slot, before) in touched {
            let after = value(of: slot)
            if before != after { changes.append((slot, before, after)) }
        }
        return changes
    }
}
