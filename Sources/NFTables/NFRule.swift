/// An nftables rule: expressions evaluated in order within one chain.
public struct NFRule: Sendable, Hashable {
    public var family: NFFamily
    public var table: String
    public var chain: String
    public var expressions: [NFExpression]
    /// The kernel's handle; set on rules read back, ignored when adding.
    public var handle: UInt64?

    public init(family: NFFamily, table: String, chain: String, expressions: [NFExpression], handle: UInt64? = nil) {
        self.family = family
        self.table = table
        self.chain = chain
        self.expressions = expressions
        self.handle = handle
    }
}
