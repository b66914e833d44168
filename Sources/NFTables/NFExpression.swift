import CSwiftletNetfilter

/// One nf_tables expression of a rule, with the attributes swiftlet programs. Values that the
/// kernel compares against registers (`cmp`, `immediate`, `bitwise`) are in network byte order
/// where the packet field is, as `nft` stores them.
public enum NFExpression: Sendable, Hashable {
    /// Load `length` bytes at `offset` of a packet header into `dreg`.
    case payload(base: PayloadBase, offset: UInt32, length: UInt32, dreg: NFRegister)
    /// Load packet metadata into `dreg`.
    case meta(key: MetaKey, dreg: NFRegister)
    /// Set packet metadata from `sreg`.
    case metaSet(key: MetaKey, sreg: NFRegister)
    /// Compare `sreg` with `data`; the rule stops here when the comparison fails.
    case cmp(op: CmpOp, sreg: NFRegister, data: [UInt8])
    /// `dreg = (sreg & mask) ^ xor` over `mask.count` bytes.
    case bitwise(sreg: NFRegister, dreg: NFRegister, mask: [UInt8], xor: [UInt8])
    /// Look `sreg` up in a set; a map's data goes to `dreg` (the verdict register for a verdict map).
    case lookup(set: NFSetReference, sreg: NFRegister, dreg: NFRegister?, invert: Bool = false)
    /// Load constant data into `dreg`.
    case immediate(data: [UInt8], dreg: NFRegister)
    /// Load a verdict into the verdict register.
    case verdict(NFVerdict)
    /// A number generator: `random` or `incremental` modulo `modulus`, plus `offset`, into `dreg`.
    case numgen(mode: NumgenMode, modulus: UInt32, offset: UInt32 = 0, dreg: NFRegister)
    /// Source or destination NAT from registers (address and optional port range).
    case nat(NAT)
    /// Load a conntrack key into `dreg`.
    case ct(key: CtKey, dreg: NFRegister)
    /// A FIB lookup (`fib daddr type`, ...) into `dreg`.
    case fib(flags: FibFlags, result: FibResult, dreg: NFRegister)
    /// Masquerade, with `NF_NAT_RANGE_*` flags (`fully-random` is 0x10).
    case masquerade(flags: UInt32 = 0)
    /// Count packets and bytes.
    case counter
    /// Reject the packet with an ICMP (or ICMPv6) unreachable of `code`, or a TCP reset
    /// (`NFT_REJECT_*` type). nft's plain `reject` in an `ip` table is ICMP port-unreachable (3),
    /// in an `ip6` table ICMPv6 port-unreachable (4).
    case reject(type: RejectType = .icmpUnreachable, code: UInt8)
    /// Add, update or delete the key in `sregKey` in a set from the packet path, with an optional
    /// timeout in milliseconds.
    case dynset(op: DynsetOp, set: NFSetReference, sregKey: NFRegister, sregData: NFRegister? = nil, timeoutMilliseconds: UInt64? = nil)

    /// The kernel's name of the expression, as libnftnl allocates it.
    public var kernelName: String {
        switch self {
        case .payload: "payload"
        case .meta, .metaSet: "meta"
        case .cmp: "cmp"
        case .bitwise: "bitwise"
        case .lookup: "lookup"
        case .immediate, .verdict: "immediate"
        case .numgen: "numgen"
        case .nat: "nat"
        case .ct: "ct"
        case .fib: "fib"
        case .masquerade: "masq"
        case .counter: "counter"
        case .reject: "reject"
        case .dynset: "dynset"
        }
    }

    /// The packet header a payload expression reads.
    public enum PayloadBase: UInt32, Sendable, Hashable {
        case link = 0
        case network = 1
        case transport = 2
    }

    /// Packet metadata keys (`NFT_META_*`).
    public enum MetaKey: UInt32, Sendable, Hashable {
        case length = 0
        case `protocol` = 1
        case mark = 3
        case iif = 4
        case oif = 5
        case iifname = 6
        case oifname = 7
        case nfproto = 15
        case l4proto = 16
    }

    /// Comparison operators (`NFT_CMP_*`).
    public enum CmpOp: UInt32, Sendable, Hashable {
        case eq = 0
        case neq = 1
        case lt = 2
        case lte = 3
        case gt = 4
        case gte = 5
    }

    /// Number generator modes (`NFT_NG_*`).
    public enum NumgenMode: UInt32, Sendable, Hashable {
        case incremental = 0
        case random = 1
    }

    /// Conntrack keys (`NFT_CT_*`).
    public enum CtKey: UInt32, Sendable, Hashable {
        case state = 0
        case direction = 1
        case status = 2
        case mark = 3
    }

    /// What a FIB lookup returns (`NFT_FIB_RESULT_*`).
    public enum FibResult: UInt32, Sendable, Hashable {
        case oif = 1
        case oifname = 2
        case addrtype = 3
    }

    /// FIB lookup inputs (`NFTA_FIB_F_*`).
    public struct FibFlags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let saddr = FibFlags(rawValue: 1 << 0)
        public static let daddr = FibFlags(rawValue: 1 << 1)
        public static let mark = FibFlags(rawValue: 1 << 2)
        public static let iif = FibFlags(rawValue: 1 << 3)
        public static let oif = FibFlags(rawValue: 1 << 4)
    }

    /// How a `reject` answers (`NFT_REJECT_*`).
    public enum RejectType: UInt32, Sendable, Hashable {
        case icmpUnreachable = 0
        case tcpReset = 1
        case icmpxUnreachable = 2
    }

    /// Dynset operations (`NFT_DYNSET_OP_*`).
    public enum DynsetOp: UInt32, Sendable, Hashable {
        case add = 0
        case update = 1
        case delete = 2
    }

    /// A NAT statement: the address (and optionally port) range is read from registers.
    public struct NAT: Sendable, Hashable {
        public enum Kind: UInt32, Sendable, Hashable {
            case snat = 0
            case dnat = 1
        }
        public var kind: Kind
        /// The address family of the NAT addresses (`ip` or `ip6`).
        public var family: NFFamily
        public var addressMin: NFRegister?
        public var addressMax: NFRegister?
        public var portMin: NFRegister?
        public var portMax: NFRegister?
        /// `NF_NAT_RANGE_*` flags; `dnat to addr:port` sets `proto-specified` (0x2). The kernel
        /// adds `map-ips` (0x1) itself when an address register is given.
        public var flags: UInt32

        /// `NF_NAT_RANGE_MAP_IPS`.
        static let mapIPsFlag: UInt32 = 0x1

        public init(kind: Kind, family: NFFamily, addressMin: NFRegister? = nil, addressMax: NFRegister? = nil,
                    portMin: NFRegister? = nil, portMax: NFRegister? = nil, flags: UInt32 = 0) {
            self.kind = kind
            self.family = family
            self.addressMin = addressMin
            self.addressMax = addressMax
            self.portMin = portMin
            self.portMax = portMax
            self.flags = flags
        }
    }
}
