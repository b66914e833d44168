// libnftnl's own objects for expressions, the reference `NFBatchLibnftnlParityTests` compares
// the batch encoder's bytes with (the encoder built these until it wrote attributes itself).

import CNftnl
import CSwiftletNetfilter
@testable import NFTables

extension NFExpression {
    /// This expression as a libnftnl object, ready to be added to a rule.
    func makeNftnl() -> NftnlExpression {
        let expression = NftnlExpression(name: kernelName)
        let e = expression.pointer
        switch self {
        case .payload(let base, let offset, let length, let dreg):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_PAYLOAD_DREG), dreg.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_PAYLOAD_BASE), base.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_PAYLOAD_OFFSET), offset)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_PAYLOAD_LEN), length)
        case .meta(let key, let dreg):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_META_KEY), key.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_META_DREG), dreg.rawValue)
        case .metaSet(let key, let sreg):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_META_KEY), key.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_META_SREG), sreg.rawValue)
        case .cmp(let op, let sreg, let data):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_CMP_SREG), sreg.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_CMP_OP), op.rawValue)
            setBytes(e, NFTNL_EXPR_CMP_DATA, data)
        case .bitwise(let sreg, let dreg, let mask, let xor):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_BITWISE_SREG), sreg.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_BITWISE_DREG), dreg.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_BITWISE_LEN), UInt32(mask.count))
            setBytes(e, NFTNL_EXPR_BITWISE_MASK, mask)
            setBytes(e, NFTNL_EXPR_BITWISE_XOR, xor)
        case .lookup(let set, let sreg, let dreg, let invert):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_LOOKUP_SREG), sreg.rawValue)
            if let dreg { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_LOOKUP_DREG), dreg.rawValue) }
            nftnl_expr_set_str(e, nftnlAttribute(NFTNL_EXPR_LOOKUP_SET), set.name)
            if let id = set.id { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_LOOKUP_SET_ID), id) }
            if invert { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_LOOKUP_FLAGS), NFT_LOOKUP_F_INV.rawValue) }
        case .immediate(let data, let dreg):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_IMM_DREG), dreg.rawValue)
            setBytes(e, NFTNL_EXPR_IMM_DATA, data)
        case .verdict(let verdict):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_IMM_DREG), NFRegister.verdict.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_IMM_VERDICT), UInt32(bitPattern: verdict.code))
            if let chain = verdict.chain { nftnl_expr_set_str(e, nftnlAttribute(NFTNL_EXPR_IMM_CHAIN), chain) }
        case .numgen(let mode, let modulus, let offset, let dreg):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NG_DREG), dreg.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NG_MODULUS), modulus)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NG_TYPE), mode.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NG_OFFSET), offset)
        case .nat(let nat):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NAT_TYPE), nat.kind.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NAT_FAMILY), UInt32(nat.family.protocolNumber))
            if let r = nat.addressMin { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NAT_REG_ADDR_MIN), r.rawValue) }
            if let r = nat.addressMax { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NAT_REG_ADDR_MAX), r.rawValue) }
            if let r = nat.portMin { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NAT_REG_PROTO_MIN), r.rawValue) }
            if let r = nat.portMax { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NAT_REG_PROTO_MAX), r.rawValue) }
            if nat.flags != 0 { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_NAT_FLAGS), nat.flags) }
        case .ct(let key, let dreg):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_CT_KEY), key.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_CT_DREG), dreg.rawValue)
        case .fib(let flags, let result, let dreg):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_FIB_DREG), dreg.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_FIB_RESULT), result.rawValue)
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_FIB_FLAGS), flags.rawValue)
        case .masquerade(let flags):
            if flags != 0 { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_MASQ_FLAGS), flags) }
        case .counter:
            break
        case .reject(let type, let code):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_REJECT_TYPE), type.rawValue)
            nftnl_expr_set_u8(e, nftnlAttribute(NFTNL_EXPR_REJECT_CODE), code)
        case .dynset(let op, let set, let sregKey, let sregData, let timeout):
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_DYNSET_SREG_KEY), sregKey.rawValue)
            if let sregData { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_DYNSET_SREG_DATA), sregData.rawValue) }
            nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_DYNSET_OP), op.rawValue)
            if let timeout { nftnl_expr_set_u64(e, nftnlAttribute(NFTNL_EXPR_DYNSET_TIMEOUT), timeout) }
            nftnl_expr_set_str(e, nftnlAttribute(NFTNL_EXPR_DYNSET_SET_NAME), set.name)
            if let id = set.id { nftnl_expr_set_u32(e, nftnlAttribute(NFTNL_EXPR_DYNSET_SET_ID), id) }
        }
        return expression
    }
}

@inline(__always)
private func setBytes(_ e: OpaquePointer, _ attribute: Int, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        _ = nftnl_expr_set(e, nftnlAttribute(attribute), raw.baseAddress, UInt32(raw.count))
    }
}
