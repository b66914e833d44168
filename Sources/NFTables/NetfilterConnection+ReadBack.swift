import CMnl
import CNftnl
import CSwiftletNetfilter
import Glibc

extension NetfilterConnection {
    /// The tables of `family` (all of swiftlet's families when nil).
    ///
    /// - Throws: `NFTablesError` when the dump fails or cannot be read.
    public mutating func listTables(family: NFFamily? = nil) throws(NFTablesError) -> [NFTable] {
        var tables: [NFTable] = []
        try dump(NFT_MSG_GETTABLE.rawValue, family: family, what: "list tables",
                 reset: { tables.removeAll() }, request: { _ in }) { header throws(NFTablesError) in
            let t = NftnlTable()
            guard nftnl_table_nlmsg_parse(header, t.pointer) >= 0 else { throw Self.unreadable("list tables") }
            guard let family = NFFamily(protocolNumber: nftnl_table_get_u32(t.pointer, nftnlAttribute(NFTNL_TABLE_FAMILY))) else { return }
            tables.append(NFTable(family: family, name: String(cString: nftnl_table_get_str(t.pointer, nftnlAttribute(NFTNL_TABLE_NAME)))))
        }
        return tables
    }

    /// Everything in one table: chains, rules with their expressions, sets and maps with their
    /// elements. Returns nil when the table does not exist.
    ///
    /// - Throws: `NFTablesError` when a dump fails, or a rule holds an expression this module's
    ///   model does not have (the error names the rule).
    public mutating func listRuleset(family: NFFamily, table: String) throws(NFTablesError) -> NFRuleset? {
        guard try listTables(family: family).contains(NFTable(family: family, name: table)) else { return nil }
        var ruleset = NFRuleset(table: NFTable(family: family, name: table))
        ruleset.chains = try listChains(family: family, table: table)
        ruleset.rules = try listRules(family: family, table: table)
        ruleset.sets = try listSets(family: family, table: table)
        for set in ruleset.sets {
            ruleset.elements[set.name] = try listElements(of: set.reference)
        }
        return ruleset
    }

    /// The chains of one table, in the kernel's order.
    public mutating func listChains(family: NFFamily, table: String) throws(NFTablesError) -> [NFChain] {
        var chains: [NFChain] = []
        try dump(NFT_MSG_GETCHAIN.rawValue, family: family, what: "list chains of \(family) \(table)",
                 reset: { chains.removeAll() }, request: { header in
                     let c = NftnlChain()
                     nftnl_chain_set_str(c.pointer, nftnlAttribute(NFTNL_CHAIN_TABLE), table)
                     nftnl_chain_nlmsg_build_payload(header, c.pointer)
                 }) { header throws(NFTablesError) in
            let c = NftnlChain()
            let p = c.pointer
            guard nftnl_chain_nlmsg_parse(header, p) >= 0 else { throw Self.unreadable("list chains of \(family) \(table)") }
            guard String(cString: nftnl_chain_get_str(p, nftnlAttribute(NFTNL_CHAIN_TABLE))) == table else { return }
            var chain = NFChain(family: family, table: table, name: String(cString: nftnl_chain_get_str(p, nftnlAttribute(NFTNL_CHAIN_NAME))))
            if nftnl_chain_is_set(p, nftnlAttribute(NFTNL_CHAIN_HOOKNUM)),
               let hook = NFChain.Hook(rawValue: nftnl_chain_get_u32(p, nftnlAttribute(NFTNL_CHAIN_HOOKNUM))),
               let typeName = nftnl_chain_get_str(p, nftnlAttribute(NFTNL_CHAIN_TYPE)),
               let type = NFChain.ChainType(rawValue: String(cString: typeName)) {
                let policy = NFChain.Policy(rawValue: nftnl_chain_get_u32(p, nftnlAttribute(NFTNL_CHAIN_POLICY))) ?? .accept
                chain.base = NFChain.Base(type: type, hook: hook, priority: nftnl_chain_get_s32(p, nftnlAttribute(NFTNL_CHAIN_PRIO)),
                                          policy: policy)
            }
            chains.append(chain)
        }
        return chains
    }

    /// The rules of one table (of one chain, when `chain` is given), in chain order.
    public mutating func listRules(family: NFFamily, table: String, chain: String? = nil) throws(NFTablesError) -> [NFRule] {
        var rules: [NFRule] = []
        let what = "list rules of \(family) \(table)"
        try dump(NFT_MSG_GETRULE.rawValue, family: family, what: what,
                 reset: { rules.removeAll() }, request: { header in
                     let r = NftnlRule()
                     nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_TABLE), table)
                     if let chain { nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_CHAIN), chain) }
                     nftnl_rule_nlmsg_build_payload(header, r.pointer)
                 }) { header throws(NFTablesError) in
            let r = NftnlRule()
            guard nftnl_rule_nlmsg_parse(header, r.pointer) >= 0 else { throw Self.unreadable(what) }
            guard String(cString: nftnl_rule_get_str(r.pointer, nftnlAttribute(NFTNL_RULE_TABLE))) == table else { return }
            let chainName = String(cString: nftnl_rule_get_str(r.pointer, nftnlAttribute(NFTNL_RULE_CHAIN)))
            if let chain, chain != chainName { return }
            let handle = nftnl_rule_get_u64(r.pointer, nftnlAttribute(NFTNL_RULE_HANDLE))
            let context = "\(family) \(table) \(chainName) handle \(handle)"
            var expressions: [NFExpression] = []
            guard let iterator = nftnl_expr_iter_create(r.pointer) else { throw Self.unreadable(what) }
            defer { nftnl_expr_iter_destroy(iterator) }
            while let e = nftnl_expr_iter_next(iterator) {
                expressions.append(try NFExpression.decode(e, family: family, table: table, context: context))
            }
            rules.append(NFRule(family: family, table: table, chain: chainName, expressions: expressions, handle: handle))
        }
        return rules
    }

    /// The sets and maps of one table, anonymous ones included.
    public mutating func listSets(family: NFFamily, table: String) throws(NFTablesError) -> [NFSet] {
        var sets: [NFSet] = []
        let what = "list sets of \(family) \(table)"
        try dump(NFT_MSG_GETSET.rawValue, family: family, what: what,
                 reset: { sets.removeAll() }, request: { header in
                     let s = NftnlSet()
                     nftnl_set_set_str(s.pointer, nftnlAttribute(NFTNL_SET_TABLE), table)
                     nftnl_set_nlmsg_build_payload(header, s.pointer)
                 }) { header throws(NFTablesError) in
            let s = NftnlSet()
            let p = s.pointer
            guard nftnl_set_nlmsg_parse(header, p) >= 0 else { throw Self.unreadable(what) }
            guard String(cString: nftnl_set_get_str(p, nftnlAttribute(NFTNL_SET_TABLE))) == table else { return }
            let name = String(cString: nftnl_set_get_str(p, nftnlAttribute(NFTNL_SET_NAME)))
            let flags = NFSet.Flags(rawValue: nftnl_set_get_u32(p, nftnlAttribute(NFTNL_SET_FLAGS)))
            let keyLength = nftnl_set_get_u32(p, nftnlAttribute(NFTNL_SET_KEY_LEN))
            var fieldLengths: [UInt32] = []
            if nftnl_set_is_set(p, nftnlAttribute(NFTNL_SET_DESC_CONCAT)) {
                var length: UInt32 = 0
                if let data = nftnl_set_get_data(p, nftnlAttribute(NFTNL_SET_DESC_CONCAT), &length) {
                    fieldLengths = UnsafeRawBufferPointer(start: data, count: Int(length)).prefix { $0 != 0 }.map(UInt32.init)
                }
            }
            let keyType = NFDataType.parts(ofConcatenatedTypeID: nftnl_set_get_u32(p, nftnlAttribute(NFTNL_SET_KEY_TYPE)),
                                           keyLength: keyLength, fieldLengths: fieldLengths)
            var dataType: NFDataType?
            if flags.contains(.map) {
                let typeID = nftnl_set_get_u32(p, nftnlAttribute(NFTNL_SET_DATA_TYPE))
                dataType = typeID == NFT_DATA_VERDICT.rawValue
                    ? .verdict
                    : NFDataType.known(typeID: typeID, length: nftnl_set_get_u32(p, nftnlAttribute(NFTNL_SET_DATA_LEN)))
            }
            let timeout = nftnl_set_is_set(p, nftnlAttribute(NFTNL_SET_TIMEOUT)) ? nftnl_set_get_u64(p, nftnlAttribute(NFTNL_SET_TIMEOUT)) : nil
            sets.append(NFSet(family: family, table: table, name: name, keyType: keyType, dataType: dataType, flags: flags,
                              timeoutMilliseconds: timeout == 0 ? nil : timeout))
        }
        return sets
    }

    /// The elements of one set or map.
    public mutating func listElements(of set: NFSetReference) throws(NFTablesError) -> [NFElement] {
        var elements: [NFElement] = []
        let what = "list elements of \(set)"
        try dump(NFT_MSG_GETSETELEM.rawValue, family: set.family, what: what,
                 reset: { elements.removeAll() }, request: { header in
                     let s = NftnlSet()
                     nftnl_set_set_str(s.pointer, nftnlAttribute(NFTNL_SET_TABLE), set.table)
                     nftnl_set_set_str(s.pointer, nftnlAttribute(NFTNL_SET_NAME), set.name)
                     nftnl_set_elems_nlmsg_build_payload(header, s.pointer)
                 }) { header throws(NFTablesError) in
            let s = NftnlSet()
            guard nftnl_set_elems_nlmsg_parse(header, s.pointer) >= 0 else { throw Self.unreadable(what) }
            guard let iterator = nftnl_set_elems_iter_create(s.pointer) else { throw Self.unreadable(what) }
            defer { nftnl_set_elems_iter_destroy(iterator) }
            // libnftnl's iterator hands out the current element and then advances.
            while let element = nftnl_set_elems_iter_next(iterator) {
                elements.append(Self.decodeElement(element))
            }
        }
        return elements
    }

    private static func decodeElement(_ e: OpaquePointer) -> NFElement {
        func bytes(_ attribute: Int) -> [UInt8] {
            var length: UInt32 = 0
            guard nftnl_set_elem_is_set(e, nftnlAttribute(attribute)),
                  let data = nftnl_set_elem_get(e, nftnlAttribute(attribute), &length) else { return [] }
            return Array(UnsafeRawBufferPointer(start: data, count: Int(length)))
        }
        var element = NFElement(key: bytes(NFTNL_SET_ELEM_KEY))
        if nftnl_set_elem_is_set(e, nftnlAttribute(NFTNL_SET_ELEM_VERDICT)) {
            let code = Int32(bitPattern: nftnl_set_elem_get_u32(e, nftnlAttribute(NFTNL_SET_ELEM_VERDICT)))
            let chain = nftnl_set_elem_is_set(e, nftnlAttribute(NFTNL_SET_ELEM_CHAIN))
                ? String(cString: nftnl_set_elem_get_str(e, nftnlAttribute(NFTNL_SET_ELEM_CHAIN))) : nil
            if let verdict = NFVerdict(code: code, chain: chain) { element.value = .verdict(verdict) }
        } else if nftnl_set_elem_is_set(e, nftnlAttribute(NFTNL_SET_ELEM_DATA)) {
            element.value = .data(bytes(NFTNL_SET_ELEM_DATA))
        }
        if nftnl_set_elem_is_set(e, nftnlAttribute(NFTNL_SET_ELEM_TIMEOUT)) {
            element.timeoutMilliseconds = nftnl_set_elem_get_u64(e, nftnlAttribute(NFTNL_SET_ELEM_TIMEOUT))
        }
        element.comment = comment(inUserData: bytes(NFTNL_SET_ELEM_USERDATA))
        return element
    }

    /// The comment in an element's user data (type-length-value records), if it has one.
    static func comment(inUserData data: [UInt8]) -> String? {
        var offset = 0
        while offset + 2 <= data.count {
            let type = data[offset]
            let length = Int(data[offset + 1])
            guard offset + 2 + length <= data.count else { return nil }
            if type == NFBatch.userDataElementComment {
                return String(decoding: data[(offset + 2)..<(offset + 2 + length)].prefix { $0 != 0 }, as: UTF8.self)
            }
            offset += 2 + length
        }
        return nil
    }

    static func unreadable(_ what: String) -> NFTablesError {
        NFTablesError(kind: .malformedReply, errno: 0, operation: what, object: "nf_tables", detail: "libnftnl could not parse a reply")
    }

    /// Runs one `NLM_F_DUMP` request and hands each reply message to `parse`. A dump the kernel
    /// marks interrupted (the ruleset changed meanwhile) is started again, after `reset`.
    mutating func dump(_ type: UInt32, family: NFFamily?, what: String, reset: () -> Void,
                       request: (UnsafeMutablePointer<nlmsghdr>) -> Void,
                       parse: (UnsafePointer<nlmsghdr>) throws(NFTablesError) -> Void) throws(NFTablesError) {
        let requestBuffer = UnsafeMutableRawPointer.allocate(byteCount: 8192, alignment: 16)
        defer { requestBuffer.deallocate() }
        for _ in 0..<8 {
            reset()
            let sequence = nextSequence
            nextSequence &+= 1
            let messageType = UInt16((UInt32(NFNL_SUBSYS_NFTABLES) << 8) | type)
            let header = nftnl_nlmsg_build_hdr(requestBuffer.assumingMemoryBound(to: CChar.self), messageType,
                                               family?.protocolNumber ?? UInt16(NFPROTO_UNSPEC),
                                               UInt16(NLM_F_ROOT | NLM_F_MATCH), sequence)!
            request(header)
            try send(UnsafeRawBufferPointer(start: requestBuffer, count: Int(header.pointee.nlmsg_len)), operation: what)
            var done = false
            var interrupted = false
            while !done {
                guard let datagram = try receive(wait: true, operation: what) else { continue }
                let headerSize = MemoryLayout<nlmsghdr>.size
                var offset = 0
                while offset + headerSize <= datagram.count, !done {
                    let reply = (datagram.baseAddress! + offset).assumingMemoryBound(to: nlmsghdr.self)
                    let length = Int(reply.pointee.nlmsg_len)
                    guard length >= headerSize, offset + length <= datagram.count else { throw Self.unreadable(what) }
                    offset += NFBatch.aligned(length)
                    guard reply.pointee.nlmsg_seq == sequence else { continue }
                    if reply.pointee.nlmsg_flags & UInt16(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                    switch Int32(reply.pointee.nlmsg_type) {
                    case NLMSG_DONE:
                        done = true
                    case NLMSG_ERROR:
                        let payload = UnsafeRawBufferPointer(start: UnsafeRawPointer(reply) + headerSize, count: length - headerSize)
                        if let failure = Self.parseError(header: reply.pointee, payload: payload), failure.errno != 0 {
                            throw NFTablesError(kind: .rejected, errno: failure.errno, operation: what, object: "in \(namespaceDescription)",
                                                detail: failure.message)
                        }
                        done = true
                    default:
                        try parse(UnsafePointer(reply))
                    }
                }
            }
            if !interrupted { return }
        }
        throw NFTablesError(kind: .malformedReply, errno: EINTR, operation: what, object: "in \(namespaceDescription)",
                            detail: "the ruleset kept changing during the dump")
    }
}
