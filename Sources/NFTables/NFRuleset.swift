/// What one table holds, as read back from the kernel: its chains, rules (in chain order), sets
/// and maps (anonymous ones included), and every set's elements by set name.
public struct NFRuleset: Sendable, Hashable {
    public var table: NFTable
    public var chains: [NFChain]
    public var rules: [NFRule]
    public var sets: [NFSet]
    public var elements: [String: [NFElement]]

    public init(table: NFTable, chains: [NFChain] = [], rules: [NFRule] = [], sets: [NFSet] = [],
                elements: [String: [NFElement]] = [:]) {
        self.table = table
        self.chains = chains
        self.rules = rules
        self.sets = sets
        self.elements = elements
    }

    /// The rules of one chain, in order.
    public func rules(inChain chain: String) -> [NFRule] {
        rules.filter { $0.chain == chain }
    }
}
