/// An nftables table: the container of chains and sets, named within its family.
public struct NFTable: Sendable, Hashable {
    public var family: NFFamily
    public var name: String

    public init(family: NFFamily, name: String) {
        self.family = family
        self.name = name
    }
}
