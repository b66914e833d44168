// libnftnl's own encoding of the operations the batch encoder writes itself (chains, rules,
// elements): the objects are built with libnftnl's setters, as the encoder did before it wrote
// the attributes with libmnl, and libnftnl's `*_nlmsg_build_payload` lays them out.

import CNftnl
import CSwiftletNetfilter
import Glibc
@testable import NFTables

enum LibnftnlReference {
    /// The bytes of the one netlink message libnftnl writes for `operation` (header included),
    /// with the message type, flags and sequence number the batch encoder uses.
    static func message(_ operation: NFOperation, sequence: UInt32) -> [UInt8] {
        let capacity = 256 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        memset(buffer, 0, capacity)
        let start = buffer.assumingMemoryBound(to: CChar.self)
        func header(_ type: UInt32, _ family: NFFamily, _ flags: Int32) -> UnsafeMutablePointer<nlmsghdr> {
            nftnl_nlmsg_build_hdr(start, UInt16((UInt32(NFNL_SUBSYS_NFTABLES) << 8) | type), family.protocolNumber,
                                  UInt16(truncatingIfNeeded: flags), sequence)!
        }
        let built: UnsafeMutablePointer<nlmsghdr>
        switch operation {
        case .addChain(let chain), .deleteChain(let chain):
            let c = NftnlChain()
            nftnl_chain_set_str(c.pointer, nftnlAttribute(NFTNL_CHAIN_TABLE), chain.table)
            nftnl_chain_set_str(c.pointer, nftnlAttribute(NFTNL_CHAIN_NAME), chain.name)
            if let base = chain.base {
                nftnl_chain_set_u32(c.pointer, nftnlAttribute(NFTNL_CHAIN_HOOKNUM), base.hook.rawValue)
                nftnl_chain_set_s32(c.pointer, nftnlAttribute(NFTNL_CHAIN_PRIO), base.priority)
                nftnl_chain_set_str(c.pointer, nftnlAttribute(NFTNL_CHAIN_TYPE), base.type.rawValue)
                nftnl_chain_set_u32(c.pointer, nftnlAttribute(NFTNL_CHAIN_POLICY), base.policy.rawValue)
            }
            let isAdd = if case .addChain = operation { true } else { false }
            built = header(isAdd ? NFT_MSG_NEWCHAIN.rawValue : NFT_MSG_DELCHAIN.rawValue, chain.family, isAdd ? NLM_F_CREATE : 0)
            nftnl_chain_nlmsg_build_payload(built, c.pointer)
        case .flushChain(let chain):
            let r = NftnlRule()
            nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_TABLE), chain.table)
            nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_CHAIN), chain.name)
            built = header(NFT_MSG_DELRULE.rawValue, chain.family, 0)
            nftnl_rule_nlmsg_build_payload(built, r.pointer)
        case .addRule(let rule):
            let r = NftnlRule()
            nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_TABLE), rule.table)
            nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_CHAIN), rule.chain)
            for expression in rule.expressions { expression.makeNftnl().add(to: r) }
            built = header(NFT_MSG_NEWRULE.rawValue, rule.family, NLM_F_CREATE | NLM_F_APPEND)
            nftnl_rule_nlmsg_build_payload(built, r.pointer)
        case .addElements(let set, let elements), .deleteElements(let set, let elements):
            let adding = if case .addElements = operation { true } else { false }
            let s = NftnlSet()
            nftnl_set_set_str(s.pointer, nftnlAttribute(NFTNL_SET_TABLE), set.table)
            nftnl_set_set_str(s.pointer, nftnlAttribute(NFTNL_SET_NAME), set.name)
            if let id = set.id { nftnl_set_set_u32(s.pointer, nftnlAttribute(NFTNL_SET_ID), id) }
            for element in elements {
                let e = NftnlSetElement()
                element.key.withUnsafeBytes { raw in
                    _ = nftnl_set_elem_set(e.pointer, nftnlAttribute(NFTNL_SET_ELEM_KEY), raw.baseAddress, UInt32(raw.count))
                }
                if adding {
                    switch element.value {
                    case .verdict(let verdict):
                        nftnl_set_elem_set_u32(e.pointer, nftnlAttribute(NFTNL_SET_ELEM_VERDICT), UInt32(bitPattern: verdict.code))
                        if let chain = verdict.chain { nftnl_set_elem_set_str(e.pointer, nftnlAttribute(NFTNL_SET_ELEM_CHAIN), chain) }
                    case .data(let data):
                        data.withUnsafeBytes { raw in
                            _ = nftnl_set_elem_set(e.pointer, nftnlAttribute(NFTNL_SET_ELEM_DATA), raw.baseAddress, UInt32(raw.count))
                        }
                    case nil:
                        break
                    }
                    if let timeout = element.timeoutMilliseconds {
                        nftnl_set_elem_set_u64(e.pointer, nftnlAttribute(NFTNL_SET_ELEM_TIMEOUT), timeout)
                    }
                    if let comment = element.comment {
                        let userData = [NFBatch.userDataElementComment, UInt8(comment.utf8.count + 1)] + Array(comment.utf8) + [0]
                        userData.withUnsafeBytes { raw in
                            _ = nftnl_set_elem_set(e.pointer, nftnlAttribute(NFTNL_SET_ELEM_USERDATA), raw.baseAddress, UInt32(raw.count))
                        }
                    }
                }
                e.add(to: s)
            }
            built = header(adding ? NFT_MSG_NEWSETELEM.rawValue : NFT_MSG_DELSETELEM.rawValue, set.family, adding ? NLM_F_CREATE : 0)
            nftnl_set_elems_nlmsg_build_payload(built, s.pointer)
        default:
            fatalError("LibnftnlReference: \(operation.verb) is encoded through libnftnl by the batch itself")
        }
        return Array(UnsafeRawBufferPointer(start: buffer, count: Int(built.pointee.nlmsg_len)))
    }
}
