import CNftnl
import CSwiftletNetfilter

extension NFExpression {
    /// Reads a libnftnl expression of a rule read back from the kernel.
    ///
    /// - Throws: `NFTablesError` (`malformedReply`) for an expression kind or key this model does
    ///   not have, naming the rule (`context`).
    static func decode(_ e: OpaquePointer, family: NFFamily, table: String, context: String) throws(NFTablesError) -> NFExpression {
        let name = String(cString: nftnl_expr_get_str(e, nftnlAttribute(NFTNL_EXPR_NAME)))
        func u32(_ a: Int) -> UInt32 { nftnl_expr_get_u32(e, nftnlAttribute(a)) }
        func has(_ a: Int) -> Bool { nftnl_expr_is_set(e, nftnlAttribute(a)) }
        func reg(_ a: Int) -> NFRegister { NFRegister(rawValue: u32(a)) }
        func optionalReg(_ a: Int) -> NFRegister? { has(a) ? reg(a) : nil }
        func bytes(_ a: Int) -> [UInt8] {
            var length: UInt32 = 0
            guard let data = nftnl_expr_get(e, nftnlAttribute(a), &length) else { return [] }
            return Array(UnsafeRawBufferPointer(start: data, count: Int(length)))
        }
        func string(_ a: Int) -> String? {
            guard has(a), let s = nftnl_expr_get_str(e, nftnlAttribute(a)) else { return nil }
            return String(cString: s)
        }
        func unknown(_ what: String) -> NFTablesError {
            NFTablesError(kind: .malformedReply, errno: 0, operation: "read rule", object: context,
                          detail: "expression \(name): \(what) is not in swiftlet's model")
        }

        switch name {
        case "payload":
            guard let base = PayloadBase(rawValue: u32(NFTNL_EXPR_PAYLOAD_BASE)) else { throw unknown("base") }
            guard has(NFTNL_EXPR_PAYLOAD_DREG) else { throw unknown("payload write") }
            return .payload(base: base, offset: u32(NFTNL_EXPR_PAYLOAD_OFFSET), length: u32(NFTNL_EXPR_PAYLOAD_LEN),
                            dreg: reg(NFTNL_EXPR_PAYLOAD_DREG))
        case "meta":
            guard let key = MetaKey(rawValue: u32(NFTNL_EXPR_META_KEY)) else { throw unknown("key \(u32(NFTNL_EXPR_META_KEY))") }
            if has(NFTNL_EXPR_META_SREG) { return .metaSet(key: key, sreg: reg(NFTNL_EXPR_META_SREG)) }
            return .meta(key: key, dreg: reg(NFTNL_EXPR_META_DREG))
        case "cmp":
            guard let op = CmpOp(rawValue: u32(NFTNL_EXPR_CMP_OP)) else { throw unknown("operator") }
            return .cmp(op: op, sreg: reg(NFTNL_EXPR_CMP_SREG), data: bytes(NFTNL_EXPR_CMP_DATA))
        case "bitwise":
            if has(NFTNL_EXPR_BITWISE_OP), u32(NFTNL_EXPR_BITWISE_OP) != 0 { throw unknown("shift operation") }
            return .bitwise(sreg: reg(NFTNL_EXPR_BITWISE_SREG), dreg: reg(NFTNL_EXPR_BITWISE_DREG),
                            mask: bytes(NFTNL_EXPR_BITWISE_MASK), xor: bytes(NFTNL_EXPR_BITWISE_XOR))
        case "lookup":
            let set = NFSetReference(family: family, table: table, name: string(NFTNL_EXPR_LOOKUP_SET) ?? "")
            let invert = has(NFTNL_EXPR_LOOKUP_FLAGS) && u32(NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV.rawValue != 0
            return .lookup(set: set, sreg: reg(NFTNL_EXPR_LOOKUP_SREG), dreg: optionalReg(NFTNL_EXPR_LOOKUP_DREG), invert: invert)
        case "immediate":
            let dreg = reg(NFTNL_EXPR_IMM_DREG)
            if dreg == .verdict {
                let code = Int32(bitPattern: u32(NFTNL_EXPR_IMM_VERDICT))
                guard let verdict = NFVerdict(code: code, chain: string(NFTNL_EXPR_IMM_CHAIN)) else { throw unknown("verdict \(code)") }
                return .verdict(verdict)
            }
            return .immediate(data: bytes(NFTNL_EXPR_IMM_DATA), dreg: dreg)
        case "numgen":
            guard let mode = NumgenMode(rawValue: u32(NFTNL_EXPR_NG_TYPE)) else { throw unknown("mode") }
            return .numgen(mode: mode, modulus: u32(NFTNL_EXPR_NG_MODULUS), offset: u32(NFTNL_EXPR_NG_OFFSET),
                           dreg: reg(NFTNL_EXPR_NG_DREG))
        case "nat":
            guard let kind = NAT.Kind(rawValue: u32(NFTNL_EXPR_NAT_TYPE)),
                  let natFamily = NFFamily(protocolNumber: u32(NFTNL_EXPR_NAT_FAMILY)) else { throw unknown("type or family") }
            // The kernel reports a single address or port as a range of one (max = min) and adds
            // NF_NAT_RANGE_MAP_IPS itself whenever an address is given; undo both so a rule reads
            // back as it was written.
            let addressMin = optionalReg(NFTNL_EXPR_NAT_REG_ADDR_MIN)
            let portMin = optionalReg(NFTNL_EXPR_NAT_REG_PROTO_MIN)
            let addressMax = optionalReg(NFTNL_EXPR_NAT_REG_ADDR_MAX)
            let portMax = optionalReg(NFTNL_EXPR_NAT_REG_PROTO_MAX)
            var flags = has(NFTNL_EXPR_NAT_FLAGS) ? u32(NFTNL_EXPR_NAT_FLAGS) : 0
            if addressMin != nil { flags &= ~NAT.mapIPsFlag }
            return .nat(NAT(kind: kind, family: natFamily,
                            addressMin: addressMin, addressMax: addressMax == addressMin ? nil : addressMax,
                            portMin: portMin, portMax: portMax == portMin ? nil : portMax, flags: flags))
        case "ct":
            guard let key = CtKey(rawValue: u32(NFTNL_EXPR_CT_KEY)), has(NFTNL_EXPR_CT_DREG) else { throw unknown("key or ct set") }
            return .ct(key: key, dreg: reg(NFTNL_EXPR_CT_DREG))
        case "fib":
            guard let result = FibResult(rawValue: u32(NFTNL_EXPR_FIB_RESULT)) else { throw unknown("result") }
            return .fib(flags: FibFlags(rawValue: u32(NFTNL_EXPR_FIB_FLAGS)), result: result, dreg: reg(NFTNL_EXPR_FIB_DREG))
        case "masq":
            return .masquerade(flags: has(NFTNL_EXPR_MASQ_FLAGS) ? u32(NFTNL_EXPR_MASQ_FLAGS) : 0)
        case "counter":
            return .counter
        case "reject":
            guard let type = RejectType(rawValue: u32(NFTNL_EXPR_REJECT_TYPE)) else { throw unknown("type") }
            return .reject(type: type, code: nftnl_expr_get_u8(e, nftnlAttribute(NFTNL_EXPR_REJECT_CODE)))
        case "dynset":
            guard let op = DynsetOp(rawValue: u32(NFTNL_EXPR_DYNSET_OP)) else { throw unknown("operation") }
            let set = NFSetReference(family: family, table: table, name: string(NFTNL_EXPR_DYNSET_SET_NAME) ?? "")
            let timeout = has(NFTNL_EXPR_DYNSET_TIMEOUT) ? nftnl_expr_get_u64(e, nftnlAttribute(NFTNL_EXPR_DYNSET_TIMEOUT)) : nil
            return .dynset(op: op, set: set, sregKey: reg(NFTNL_EXPR_DYNSET_SREG_KEY),
                           sregData: optionalReg(NFTNL_EXPR_DYNSET_SREG_DATA), timeoutMilliseconds: timeout == 0 ? nil : timeout)
        default:
            throw unknown("the kind")
        }
    }
}
