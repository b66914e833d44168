import CSwiftletNetfilter

extension NFExpression {
    /// Writes this expression as one `NFTA_LIST_ELEM` of a rule's `NFTA_RULE_EXPRESSIONS`: its
    /// kernel name and its `NFTA_EXPR_DATA`, with the attributes in the order libnftnl's
    /// `build` of the same expression writes them, so the bytes are the ones libnftnl would send
    /// (`NFBatchEncodingTests` compares the two for every kind).
    func encode(into message: NFMessageWriter) {
        message.nest(NFTA_LIST_ELEM) {
            message.string(NFTA_EXPR_NAME, kernelName)
            message.nest(NFTA_EXPR_DATA) { encodeData(into: message) }
        }
    }

    private func encodeData(into m: NFMessageWriter) {
        switch self {
        case .payload(let base, let offset, let length, let dreg):
            m.u32(NFTA_PAYLOAD_DREG, dreg.rawValue)
            m.u32(NFTA_PAYLOAD_BASE, base.rawValue)
            m.u32(NFTA_PAYLOAD_OFFSET, offset)
            m.u32(NFTA_PAYLOAD_LEN, length)
        case .meta(let key, let dreg):
            m.u32(NFTA_META_KEY, key.rawValue)
            m.u32(NFTA_META_DREG, dreg.rawValue)
        case .metaSet(let key, let sreg):
            m.u32(NFTA_META_KEY, key.rawValue)
            m.u32(NFTA_META_SREG, sreg.rawValue)
        case .cmp(let op, let sreg, let data):
            m.u32(NFTA_CMP_SREG, sreg.rawValue)
            m.u32(NFTA_CMP_OP, op.rawValue)
            m.data(NFTA_CMP_DATA, data)
        case .bitwise(let sreg, let dreg, let mask, let xor):
            m.u32(NFTA_BITWISE_SREG, sreg.rawValue)
            m.u32(NFTA_BITWISE_DREG, dreg.rawValue)
            m.u32(NFTA_BITWISE_LEN, UInt32(mask.count))
            m.data(NFTA_BITWISE_MASK, mask)
            m.data(NFTA_BITWISE_XOR, xor)
        case .lookup(let set, let sreg, let dreg, let invert):
            m.u32(NFTA_LOOKUP_SREG, sreg.rawValue)
            if let dreg { m.u32(NFTA_LOOKUP_DREG, dreg.rawValue) }
            m.string(NFTA_LOOKUP_SET, set.name)
            if let id = set.id { m.u32(NFTA_LOOKUP_SET_ID, id) }
            if invert { m.u32(NFTA_LOOKUP_FLAGS, NFT_LOOKUP_F_INV.rawValue) }
        case .immediate(let data, let dreg):
            m.u32(NFTA_IMMEDIATE_DREG, dreg.rawValue)
            m.data(NFTA_IMMEDIATE_DATA, data)
        case .verdict(let verdict):
            m.u32(NFTA_IMMEDIATE_DREG, NFRegister.verdict.rawValue)
            m.verdict(NFTA_IMMEDIATE_DATA, verdict)
        case .numgen(let mode, let modulus, let offset, let dreg):
            m.u32(NFTA_NG_DREG, dreg.rawValue)
            m.u32(NFTA_NG_MODULUS, modulus)
            m.u32(NFTA_NG_TYPE, mode.rawValue)
            m.u32(NFTA_NG_OFFSET, offset)
        case .nat(let nat):
            m.u32(NFTA_NAT_TYPE, nat.kind.rawValue)
            m.u32(NFTA_NAT_FAMILY, UInt32(nat.family.protocolNumber))
            if let r = nat.addressMin { m.u32(NFTA_NAT_REG_ADDR_MIN, r.rawValue) }
            if let r = nat.addressMax { m.u32(NFTA_NAT_REG_ADDR_MAX, r.rawValue) }
            if let r = nat.portMin { m.u32(NFTA_NAT_REG_PROTO_MIN, r.rawValue) }
            if let r = nat.portMax { m.u32(NFTA_NAT_REG_PROTO_MAX, r.rawValue) }
            if nat.flags != 0 { m.u32(NFTA_NAT_FLAGS, nat.flags) }
        case .ct(let key, let dreg):
            m.u32(NFTA_CT_KEY, key.rawValue)
            m.u32(NFTA_CT_DREG, dreg.rawValue)
        case .fib(let flags, let result, let dreg):
            m.u32(NFTA_FIB_FLAGS, flags.rawValue)
            m.u32(NFTA_FIB_RESULT, result.rawValue)
            m.u32(NFTA_FIB_DREG, dreg.rawValue)
        case .masquerade(let flags):
            if flags != 0 { m.u32(NFTA_MASQ_FLAGS, flags) }
        case .counter:
            break
        case .reject(let type, let code):
            m.u32(NFTA_REJECT_TYPE, type.rawValue)
            m.u8(NFTA_REJECT_ICMP_CODE, code)
        case .dynset(let op, let set, let sregKey, let sregData, let timeout):
            m.u32(NFTA_DYNSET_SREG_KEY, sregKey.rawValue)
            if let sregData { m.u32(NFTA_DYNSET_SREG_DATA, sregData.rawValue) }
            m.u32(NFTA_DYNSET_OP, op.rawValue)
            if let timeout { m.u64(NFTA_DYNSET_TIMEOUT, timeout) }
            m.string(NFTA_DYNSET_SET_NAME, set.name)
            if let id = set.id { m.u32(NFTA_DYNSET_SET_ID, id) }
        }
    }
}
