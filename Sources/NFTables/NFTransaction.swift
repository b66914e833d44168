/// A batch of nftables changes that the kernel applies all or nothing. Operations are recorded
/// as values here and encoded only when a `NetfilterConnection` commits the transaction, so a
/// kernel error can be traced back to the operation (and its object) that caused it.
public struct NFTransaction: Sendable {
    /// The recorded operations, in the order they are sent.
    public private(set) var operations: [NFOperation] = []
    private var nextSetID: UInt32 = 1

    public init() {}

    /// Makes room for `count` operations in all, so that recording a large transaction does not
    /// copy the operations recorded so far each time the storage grows.
    public mutating func reserveCapacity(_ count: Int) { operations.reserveCapacity(count) }

    /// True when nothing was recorded.
    public var isEmpty: Bool { operations.isEmpty }

    // MARK: Tables

    /// Adds a table (no error if it exists).
    public mutating func add(_ table: NFTable) { operations.append(.addTable(table)) }
    /// Deletes a table with everything in it.
    public mutating func delete(_ table: NFTable) { operations.append(.deleteTable(table)) }
    /// Deletes every rule in every chain of a table; chains and sets stay.
    public mutating func flush(_ table: NFTable) { operations.append(.flushTable(table)) }

    // MARK: Chains

    /// Adds a chain (no error if it exists with the same hook).
    public mutating func add(_ chain: NFChain) { operations.append(.addChain(chain)) }
    /// Deletes an empty chain that nothing jumps to.
    public mutating func delete(_ chain: NFChain) { operations.append(.deleteChain(chain)) }
    /// Deletes every rule of a chain.
    public mutating func flush(_ chain: NFChain) { operations.append(.flushChain(chain)) }

    // MARK: Rules

    /// Appends a rule at the end of its chain.
    public mutating func add(_ rule: NFRule) { operations.append(.addRule(rule)) }
    /// Deletes the rule with `handle` from a chain.
    public mutating func deleteRule(family: NFFamily, table: String, chain: String, handle: UInt64) {
        operations.append(.deleteRule(family: family, table: table, chain: chain, handle: handle))
    }

    // MARK: Sets and elements

    /// Adds a set or map (no error if it exists with the same type).
    public mutating func add(_ set: NFSet) { operations.append(.addSet(set)) }
    /// Deletes a set or map that no rule refers to.
    public mutating func delete(_ set: NFSetReference) { operations.append(.deleteSet(set)) }
    /// Deletes every element of a set or map.
    public mutating func flush(_ set: NFSetReference) { operations.append(.flushSet(set)) }
    /// Adds elements to a set or map.
    public mutating func add(_ elements: [NFElement], to set: NFSetReference) {
        guard !elements.isEmpty else { return }
        operations.append(.addElements(set, elements))
    }
    /// Deletes elements (by key) from a set or map.
    public mutating func delete(_ elements: [NFElement], from set: NFSetReference) {
        guard !elements.isEmpty else { return }
        operations.append(.deleteElements(set, elements))
    }

    /// Adds an anonymous constant set or map with its elements, for one rule to use (such as the
    /// `numgen random mod N vmap { ... }` of a service chain). Returns the reference the rule's
    /// `lookup` takes; the kernel names the set when the batch commits.
    public mutating func addAnonymousSet(family: NFFamily, table: String, keyType: [NFDataType],
                                         dataType: NFDataType?, elements: [NFElement]) -> NFSetReference {
        let id = nextSetID
        nextSetID += 1
        let set = NFSet(family: family, table: table, name: dataType == nil ? "__set%d" : "__map%d",
                        keyType: keyType, dataType: dataType, flags: [.anonymous, .constant], id: id)
        operations.append(.addSet(set))
        operations.append(.addElements(set.reference, elements))
        return set.reference
    }
}

/// One recorded change of an `NFTransaction`.
public enum NFOperation: Sendable, Hashable {
    case addTable(NFTable)
    case deleteTable(NFTable)
    case flushTable(NFTable)
    case addChain(NFChain)
    case deleteChain(NFChain)
    case flushChain(NFChain)
    case addRule(NFRule)
    case deleteRule(family: NFFamily, table: String, chain: String, handle: UInt64)
    case addSet(NFSet)
    case deleteSet(NFSetReference)
    case flushSet(NFSetReference)
    case addElements(NFSetReference, [NFElement])
    case deleteElements(NFSetReference, [NFElement])

    /// The verb of the operation, as a person reads it in an error (`add rule`, `delete element`).
    public var verb: String {
        switch self {
        case .addTable: "add table"
        case .deleteTable: "delete table"
        case .flushTable: "flush table"
        case .addChain: "add chain"
        case .deleteChain: "delete chain"
        case .flushChain: "flush chain"
        case .addRule: "add rule"
        case .deleteRule: "delete rule"
        case .addSet(let set): set.dataType == nil ? "add set" : "add map"
        case .deleteSet: "delete set"
        case .flushSet: "flush set"
        case .addElements: "add element"
        case .deleteElements: "delete element"
        }
    }

    /// The object the operation acts on, as `nft` would name it (`ip kube-proxy service-ABC`).
    public var object: String {
        switch self {
        case .addTable(let t), .deleteTable(let t), .flushTable(let t): "\(t.family) \(t.name)"
        case .addChain(let c), .deleteChain(let c), .flushChain(let c): "\(c.family) \(c.table) \(c.name)"
        case .addRule(let r): "\(r.family) \(r.table) \(r.chain)"
        case .deleteRule(let family, let table, let chain, let handle): "\(family) \(table) \(chain) handle \(handle)"
        case .addSet(let s): "\(s.family) \(s.table) \(s.name)"
        case .deleteSet(let s), .flushSet(let s), .addElements(let s, _), .deleteElements(let s, _): s.description
        }
    }
}
