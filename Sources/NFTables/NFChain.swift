/// An nftables chain. A base chain (`base != nil`) is attached to a netfilter hook; a regular chain
/// is only reached by `jump`/`goto` verdicts.
public struct NFChain: Sendable, Hashable {
    public var family: NFFamily
    public var table: String
    public var name: String
    /// The hook, type, priority and policy of a base chain; nil for a regular chain.
    public var base: Base?

    public init(family: NFFamily, table: String, name: String, base: Base? = nil) {
        self.family = family
        self.table = table
        self.name = name
        self.base = base
    }

    /// What makes a chain a base chain.
    public struct Base: Sendable, Hashable {
        public var type: ChainType
        public var hook: Hook
        /// The hook priority; lower runs first (`dstnat` is -100, `filter` 0, `srcnat` 100).
        public var priority: Int32
        public var policy: Policy

        public init(type: ChainType, hook: Hook, priority: Int32, policy: Policy = .accept) {
            self.type = type
            self.hook = hook
            self.priority = priority
            self.policy = policy
        }
    }

    /// The chain type of a base chain.
    public enum ChainType: String, Sendable, Hashable {
        case filter
        case nat
        case route
    }

    /// The netfilter hook of a base chain (the `NF_INET_*` numbers).
    public enum Hook: UInt32, Sendable, Hashable {
        case prerouting = 0
        case input = 1
        case forward = 2
        case output = 3
        case postrouting = 4

        public var name: String {
            switch self {
            case .prerouting: "prerouting"
            case .input: "input"
            case .forward: "forward"
            case .output: "output"
            case .postrouting: "postrouting"
            }
        }
    }

    /// The verdict of a base chain when no rule decided.
    public enum Policy: UInt32, Sendable, Hashable {
        case drop = 0
        case accept = 1
    }
}

extension NFChain.Base {
    /// Well-known priorities, as `nft` names them.
    public enum Priority {
        public static let dstnat: Int32 = -100
        public static let filter: Int32 = 0
        public static let srcnat: Int32 = 100
    }
}
