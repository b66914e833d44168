import CSwiftletNetfilter

/// An nftables set or map. A map has `dataType` (`.verdict` for a verdict map); a concatenated
/// key has several `keyType` parts (`ipv4_addr . inet_proto . inet_service`).
public struct NFSet: Sendable, Hashable {
    public var family: NFFamily
    public var table: String
    /// The set's name; anonymous sets use a template such as `__map%d` that the kernel completes.
    public var name: String
    public var keyType: [NFDataType]
    public var dataType: NFDataType?
    public var flags: Flags
    /// The default element timeout in milliseconds (needs `.timeout`).
    public var timeoutMilliseconds: UInt64?
    /// The transaction-local id that rules use to refer to a set added in the same batch
    /// (required for anonymous sets); not kept by the kernel.
    public var id: UInt32?

    public init(family: NFFamily, table: String, name: String, keyType: [NFDataType], dataType: NFDataType? = nil,
                flags: Flags = [], timeoutMilliseconds: UInt64? = nil, id: UInt32? = nil) {
        self.family = family
        self.table = table
        self.name = name
        self.keyType = keyType
        self.dataType = dataType
        self.flags = dataType == nil ? flags : flags.union(.map)
        self.timeoutMilliseconds = timeoutMilliseconds
        self.id = id
    }

    /// The reference rules and element operations use for this set.
    public var reference: NFSetReference {
        NFSetReference(family: family, table: table, name: name, id: id)
    }

    /// The length in bytes of one key.
    public var keyLength: UInt32 { NFDataType.keyLength(keyType) }

    /// Set flags (`NFT_SET_*`).
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let anonymous = Flags(rawValue: NFT_SET_ANONYMOUS.rawValue)
        public static let constant = Flags(rawValue: NFT_SET_CONSTANT.rawValue)
        public static let interval = Flags(rawValue: NFT_SET_INTERVAL.rawValue)
        public static let map = Flags(rawValue: NFT_SET_MAP.rawValue)
        public static let timeout = Flags(rawValue: NFT_SET_TIMEOUT.rawValue)
        /// Updated from the packet path (`dynset`); nft calls it `dynamic`.
        public static let dynamic = Flags(rawValue: NFT_SET_EVAL.rawValue)
    }
}

/// How a rule or an element operation names a set: by name, and by the transaction-local id for
/// a set added in the same batch whose name the kernel assigns (anonymous sets).
public struct NFSetReference: Sendable, Hashable, CustomStringConvertible {
    public var family: NFFamily
    public var table: String
    public var name: String
    public var id: UInt32?

    public init(family: NFFamily, table: String, name: String, id: UInt32? = nil) {
        self.family = family
        self.table = table
        self.name = name
        self.id = id
    }

    public var description: String { "\(family) \(table) \(name)" }
}
