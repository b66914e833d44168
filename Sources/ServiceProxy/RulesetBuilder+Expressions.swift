import NFTables

/// The expressions of the rules upstream writes as nft text, one helper per phrase
/// (`ip saddr 10.0.0.1`, `ct state new`, `fib daddr type local`, ...).
extension RulesetBuilder {
    /// `ip saddr ADDR` / `ip saddr != ADDR` (or `ip6 ...`).
    func match(_ field: NFExpression.PacketField, _ op: NFExpression.CmpOp = .eq, _ address: [UInt8]) -> [NFExpression] {
        NFExpression.match(field, op, address)
    }

    /// `ip saddr CIDR` / `ip saddr != CIDR`, encoded as nft encodes a prefix match: a prefix on a
    /// byte boundary loads only its bytes and compares them; any other a masked compare.
    func match(_ field: NFExpression.PacketField, _ op: NFExpression.CmpOp = .eq, _ cidr: CIDR) -> [NFExpression] {
        var expressions: [NFExpression] = []
        appendMatch(to: &expressions, field, op, cidr)
        return expressions
    }

    /// `match(field, op, address)` appended to the expressions of a rule being written.
    func appendMatch(to expressions: inout [NFExpression], _ field: NFExpression.PacketField, _ op: NFExpression.CmpOp,
                     _ address: [UInt8]) {
        expressions.append(.load(field, into: .r1))
        expressions.append(.cmp(op: op, sreg: .r1, data: address))
    }

    /// `match(field, op, cidr)` appended to the expressions of a rule being written.
    func appendMatch(to expressions: inout [NFExpression], _ field: NFExpression.PacketField, _ op: NFExpression.CmpOp,
                     _ cidr: CIDR) {
        if cidr.prefixLength > 0, cidr.prefixLength % 8 == 0 {
            let bytes = cidr.prefixLength / 8
            let prefix = NFExpression.PacketField(base: field.base, offset: field.offset, length: UInt32(bytes))
            return appendMatch(to: &expressions, prefix, op, Array(cidr.network.prefix(bytes)))
        }
        expressions.append(.load(field, into: .r1))
        expressions.append(.bitwise(sreg: .r1, dreg: .r1, mask: cidr.mask, xor: [UInt8](repeating: 0, count: cidr.network.count)))
        expressions.append(.cmp(op: op, sreg: .r1, data: cidr.network))
    }

    /// `meta l4proto PROTO`, appended to the expressions of a rule being written.
    func appendL4proto(to expressions: inout [NFExpression], _ proto: TransportProtocol) {
        expressions.append(.meta(key: .l4proto, dreg: .r1))
        expressions.append(.cmp(op: .eq, sreg: .r1, data: Self.protocolData(proto)))
    }

    /// The protocol number as compare data, one shared array per protocol.
    static func protocolData(_ proto: TransportProtocol) -> [UInt8] {
        switch proto {
        case .tcp: tcpData
        case .udp: udpData
        case .sctp: sctpData
        }
    }
    private static let tcpData: [UInt8] = [NFValue.tcp]
    private static let udpData: [UInt8] = [NFValue.udp]
    private static let sctpData: [UInt8] = [NFValue.sctp]

    /// `ct state new`.
    var ctStateNew: [NFExpression] {
        [.ct(key: .state, dreg: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: NFValue.host32(8), xor: NFValue.host32(0)),
         .cmp(op: .neq, sreg: .r1, data: NFValue.host32(0))]
    }

    /// `fib daddr type local` / `fib saddr type local`.
    func fibTypeLocal(_ flags: NFExpression.FibFlags) -> [NFExpression] {
        [.fib(flags: flags, result: .addrtype, dreg: .r1), .cmp(op: .eq, sreg: .r1, data: NFValue.host32(2))]
    }

    /// `ip daddr . meta l4proto . th dport vmap @MAP`.
    func addressProtocolPortLookup(_ map: ProxyMap) -> [NFExpression] {
        let protoRegister = NFRegister.r1.advanced(byBytes: family.addressLength)
        return [.load(family.destinationField, into: .r1),
                .meta(key: .l4proto, dreg: protoRegister),
                .load(.transportDestinationPort, into: protoRegister.advanced(byBytes: 1)),
                .lookup(set: map.reference(family), sreg: .r1, dreg: .verdict)]
    }

    /// `meta l4proto . th dport vmap @MAP`.
    func protocolPortLookup(_ map: ProxyMap) -> [NFExpression] {
        [.meta(key: .l4proto, dreg: .r1),
         .load(.transportDestinationPort, into: NFRegister.r1.advanced(byBytes: 1)),
         .lookup(set: map.reference(family), sreg: .r1, dreg: .verdict)]
    }

    /// `mark set mark or MARK`.
    var setMasqueradeMark: [NFExpression] {
        [.meta(key: .mark, dreg: .r1),
         .bitwise(sreg: .r1, dreg: .r1, mask: NFValue.host32(~configuration.masqueradeMark), xor: NFValue.host32(configuration.masqueradeMark)),
         .metaSet(key: .mark, sreg: .r1)]
    }

    /// The key of a `service-ips`-shaped map: `ADDR . PROTO . PORT`.
    func serviceKey(_ address: [UInt8], _ proto: TransportProtocol, _ port: UInt16) -> [UInt8] {
        // `NFElement.concatenatedKey(address, [proto.number], NFValue.port(port))`, in one array.
        var key: [UInt8] = []
        key.reserveCapacity((address.count + 3) / 4 * 4 + 8)
        key.append(contentsOf: address)
        key.append(contentsOf: repeatElement(0, count: (4 - address.count % 4) % 4))
        key.append(contentsOf: [proto.number, 0, 0, 0, UInt8(port >> 8), UInt8(truncatingIfNeeded: port), 0, 0])
        return key
    }

    /// The key of a `service-nodeports`-shaped map: `PROTO . PORT`.
    func nodePortKey(_ proto: TransportProtocol, _ port: UInt16) -> [UInt8] {
        NFElement.concatenatedKey([proto.number], NFValue.port(port))
    }
}
