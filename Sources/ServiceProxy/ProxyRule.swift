import NFTables

/// One rule of a chain the builder writes. A rule that picks an endpoint at random carries the
/// goto targets of its anonymous `numgen random mod N vmap { ... }` map, which the transaction
/// creates together with the rule.
public struct ProxyRule: Sendable, Hashable {
    /// The expressions; for a dispatch rule, the ones before the numgen lookup (none).
    public var expressions: [NFExpression]
    /// The endpoint chains `numgen random mod N` picks from, in order; empty for a plain rule.
    public var dispatchTargets: [String]

    public init(_ expressions: [NFExpression]) {
        self.expressions = expressions
        dispatchTargets = []
    }

    /// `numgen random mod N vmap { 0 : goto target0, ... }`.
    public static func randomDispatch(_ targets: [String]) -> ProxyRule {
        var rule = ProxyRule([])
        rule.dispatchTargets = targets
        return rule
    }

    /// The kernel rules of a dispatch in `sequentialRules` form: with `N - i` endpoints left,
    /// take endpoint `i` with probability `1 / (N - i)`; each endpoint ends up with `1 / N`.
    var sequentialDispatch: [[NFExpression]] {
        let count = dispatchTargets.count
        return dispatchTargets.enumerated().map { index, target in
            let left = UInt32(count - index)
            guard left > 1 else { return expressions + [.verdict(.goto(target))] }
            return expressions + [.numgen(mode: .random, modulus: left, dreg: .r1), .cmp(op: .eq, sreg: .r1, data: NFValue.host32(0)),
                                  .verdict(.goto(target))]
        }
    }

    /// The keys of a dispatch map's first elements, shared by every map rather than allocated
    /// for each (most services have few endpoints).
    private static let dispatchKeys: [[UInt8]] = (0..<64).map { NFValue.host32(UInt32($0)) }
    private static let dispatchKeyType: [NFDataType] = [.integer(length: 4)]

    /// Records this rule in `chain` of `family`'s table.
    func add(to transaction: inout NFTransaction, chain: String, family: NFFamily,
             dispatch: ProxyConfiguration.EndpointDispatch = .verdictMap) {
        let table = KubeProxyNames.table
        guard !dispatchTargets.isEmpty else {
            transaction.add(NFRule(family: family, table: table, chain: chain, expressions: expressions))
            return
        }
        if dispatch == .sequentialRules {
            for rule in sequentialDispatch { transaction.add(NFRule(family: family, table: table, chain: chain, expressions: rule)) }
            return
        }
        var elements: [NFElement] = []
        elements.reserveCapacity(dispatchTargets.count)
        for (index, target) in dispatchTargets.enumerated() {
            let key = index < Self.dispatchKeys.count ? Self.dispatchKeys[index] : NFValue.host32(UInt32(index))
            elements.append(NFElement(key: key, value: .verdict(.goto(target))))
        }
        let map = transaction.addAnonymousSet(family: family, table: table, keyType: Self.dispatchKeyType,
                                              dataType: .verdict, elements: elements)
        var ruleExpressions: [NFExpression] = []
        ruleExpressions.reserveCapacity(expressions.count + 2)
        ruleExpressions.append(contentsOf: expressions)
        ruleExpressions.append(.numgen(mode: .random, modulus: UInt32(dispatchTargets.count), dreg: .r1))
        ruleExpressions.append(.lookup(set: map, sreg: .r1, dreg: .verdict))
        transaction.add(NFRule(family: family, table: table, chain: chain, expressions: ruleExpressions))
    }
}

/// A regular chain and its rules, in order.
public struct ProxyChain: Sendable, Hashable {
    public var name: String
    public var rules: [ProxyRule]

    public init(name: String, rules: [ProxyRule] = []) {
        self.name = name
        self.rules = rules
    }
}

/// A session-affinity set: source addresses that stick to one endpoint for `timeoutSeconds`.
public struct AffinitySet: Sendable, Hashable {
    public var name: String
    public var timeoutSeconds: UInt32

    func set(_ family: ProxyIPFamily) -> NFSet {
        NFSet(family: family.tableFamily, table: KubeProxyNames.table, name: name, keyType: [family.addressType],
              flags: [.dynamic, .timeout], timeoutMilliseconds: UInt64(timeoutSeconds) * 1000)
    }
}
