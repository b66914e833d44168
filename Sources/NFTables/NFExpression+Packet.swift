extension NFExpression {
    /// A packet header field as `nft` names it (`ip saddr`, `th dport`), for payload loads.
    public struct PacketField: Sendable, Hashable {
        public var base: PayloadBase
        public var offset: UInt32
        public var length: UInt32

        public init(base: PayloadBase, offset: UInt32, length: UInt32) {
            self.base = base
            self.offset = offset
            self.length = length
        }

        public static let ipv4Source = PacketField(base: .network, offset: 12, length: 4)
        public static let ipv4Destination = PacketField(base: .network, offset: 16, length: 4)
        public static let ipv6Source = PacketField(base: .network, offset: 8, length: 16)
        public static let ipv6Destination = PacketField(base: .network, offset: 24, length: 16)
        /// `th sport`: the source port of TCP, UDP or SCTP.
        public static let transportSourcePort = PacketField(base: .transport, offset: 0, length: 2)
        /// `th dport`: the destination port of TCP, UDP or SCTP.
        public static let transportDestinationPort = PacketField(base: .transport, offset: 2, length: 2)
    }

    /// Loads a packet field into `dreg`.
    public static func load(_ field: PacketField, into dreg: NFRegister) -> NFExpression {
        .payload(base: field.base, offset: field.offset, length: field.length, dreg: dreg)
    }

    /// `field == value` (or another comparison), through register 1.
    public static func match(_ field: PacketField, _ op: CmpOp = .eq, _ value: [UInt8]) -> [NFExpression] {
        [load(field, into: .r1), .cmp(op: op, sreg: .r1, data: value)]
    }
}
