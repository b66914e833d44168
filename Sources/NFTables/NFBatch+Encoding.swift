import CNftnl
import CSwiftletNetfilter
import Glibc

extension NFBatch {
    /// Encodes every operation of `transaction` and closes the batch.
    ///
    /// - Throws: `NFTablesError` (`invalidRequest`) for an operation that cannot be encoded,
    ///   naming it and its index; nothing is sent then.
    mutating func encode(_ transaction: NFTransaction) throws(NFTablesError) {
        // Read in place: copying each operation out of the array costs more than encoding it.
        try transaction.operations.withUnsafeBufferPointer { operations throws(NFTablesError) in
            for index in operations.indices {
                try append(operations[index], index: Int32(index))
            }
        }
        close()
    }

    private mutating func append(_ operation: NFOperation, index: Int32) throws(NFTablesError) {
        let whole = Origin(operation: index, firstElement: 0, elementCount: 0)
        let create = NLM_F_CREATE
        switch operation {
        case .addTable(let table), .deleteTable(let table):
            let t = NftnlTable()
            nftnl_table_set_str(t.pointer, nftnlAttribute(NFTNL_TABLE_NAME), table.name)
            let isAdd = if case .addTable = operation { true } else { false }
            let header = startMessage(type: isAdd ? NFT_MSG_NEWTABLE.rawValue : NFT_MSG_DELTABLE.rawValue,
                                      family: table.family, flags: isAdd ? create : 0, origin: whole)
            nftnl_table_nlmsg_build_payload(header, t.pointer)
            finish(header)
        case .flushTable(let table):
            let r = NftnlRule()
            nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_TABLE), table.name)
            let header = startMessage(type: NFT_MSG_DELRULE.rawValue, family: table.family, flags: 0, origin: whole)
            nftnl_rule_nlmsg_build_payload(header, r.pointer)
            finish(header)
        case .addChain(let chain):
            let header = startMessage(type: NFT_MSG_NEWCHAIN.rawValue, family: chain.family, flags: create, origin: whole)
            let m = NFMessageWriter(header: header)
            m.string(NFTA_CHAIN_TABLE, chain.table)
            m.string(NFTA_CHAIN_NAME, chain.name)
            if let base = chain.base {
                m.nest(NFTA_CHAIN_HOOK) {
                    m.u32(NFTA_HOOK_HOOKNUM, base.hook.rawValue)
                    m.u32(NFTA_HOOK_PRIORITY, UInt32(bitPattern: base.priority))
                }
                m.u32(NFTA_CHAIN_POLICY, base.policy.rawValue)
                m.string(NFTA_CHAIN_TYPE, base.type.rawValue)
            }
            finish(header)
        case .deleteChain(let chain):
            let header = startMessage(type: NFT_MSG_DELCHAIN.rawValue, family: chain.family, flags: 0, origin: whole)
            let m = NFMessageWriter(header: header)
            m.string(NFTA_CHAIN_TABLE, chain.table)
            m.string(NFTA_CHAIN_NAME, chain.name)
            finish(header)
        case .flushChain(let chain):
            let header = startMessage(type: NFT_MSG_DELRULE.rawValue, family: chain.family, flags: 0, origin: whole)
            let m = NFMessageWriter(header: header)
            m.string(NFTA_RULE_TABLE, chain.table)
            m.string(NFTA_RULE_CHAIN, chain.name)
            finish(header)
        case .addRule(let rule):
            let header = startMessage(type: NFT_MSG_NEWRULE.rawValue, family: rule.family,
                                      flags: create | NLM_F_APPEND, origin: whole)
            let m = NFMessageWriter(header: header)
            m.string(NFTA_RULE_TABLE, rule.table)
            m.string(NFTA_RULE_CHAIN, rule.chain)
            if !rule.expressions.isEmpty {
                m.nest(NFTA_RULE_EXPRESSIONS) {
                    rule.expressions.withUnsafeBufferPointer { expressions in
                        for index in expressions.indices { expressions[index].encode(into: m) }
                    }
                }
            }
            finish(header)
        case .deleteRule(let family, let table, let chain, let handle):
            let r = NftnlRule()
            nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_TABLE), table)
            nftnl_rule_set_str(r.pointer, nftnlAttribute(NFTNL_RULE_CHAIN), chain)
            nftnl_rule_set_u64(r.pointer, nftnlAttribute(NFTNL_RULE_HANDLE), handle)
            let header = startMessage(type: NFT_MSG_DELRULE.rawValue, family: family, flags: 0, origin: whole)
            nftnl_rule_nlmsg_build_payload(header, r.pointer)
            finish(header)
        case .addSet(let set):
            try appendAddSet(set, origin: whole)
        case .deleteSet(let set), .flushSet(let set):
            let s = NftnlSet()
            nftnl_set_set_str(s.pointer, nftnlAttribute(NFTNL_SET_TABLE), set.table)
            nftnl_set_set_str(s.pointer, nftnlAttribute(NFTNL_SET_NAME), set.name)
            if let id = set.id { nftnl_set_set_u32(s.pointer, nftnlAttribute(NFTNL_SET_ID), id) }
            let isDelete = if case .deleteSet = operation { true } else { false }
            let header = startMessage(type: isDelete ? NFT_MSG_DELSET.rawValue : NFT_MSG_DELSETELEM.rawValue,
                                      family: set.family, flags: 0, origin: whole)
            if isDelete {
                nftnl_set_nlmsg_build_payload(header, s.pointer)
            } else {
                nftnl_set_elems_nlmsg_build_payload(header, s.pointer)
            }
            finish(header)
        case .addElements(let set, let elements):
            try appendElements(elements, of: set, adding: true, operation: index)
        case .deleteElements(let set, let elements):
            try appendElements(elements, of: set, adding: false, operation: index)
        }
    }

    private mutating func appendAddSet(_ set: NFSet, origin: Origin) throws(NFTablesError) {
        guard !set.keyType.isEmpty, set.keyType.allSatisfy({ $0.length > 0 }) else {
            throw NFTablesError(kind: .invalidRequest, errno: 0, operation: "add set",
                                object: "\(set.family) \(set.table) \(set.name)",
                                detail: "operation \(origin.operation): keyType must name at least one part with a length")
        }
        let s = NftnlSet()
        let p = s.pointer
        nftnl_set_set_str(p, nftnlAttribute(NFTNL_SET_TABLE), set.table)
        nftnl_set_set_str(p, nftnlAttribute(NFTNL_SET_NAME), set.name)
        nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_FLAGS), set.flags.rawValue)
        nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_KEY_TYPE), NFDataType.concatenatedTypeID(set.keyType))
        nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_KEY_LEN), set.keyLength)
        // The kernel wants every new set to carry a batch-local id; sets that rules name only by
        // name get one from the upper half, which `NFTransaction` never hands out.
        nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_ID), set.id ?? (0x8000_0000 | UInt32(origin.operation)))
        if let data = set.dataType {
            if data == .verdict {
                nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_DATA_TYPE), NFT_DATA_VERDICT.rawValue)
                nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_DATA_LEN), 0)
            } else {
                nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_DATA_TYPE), data.typeID)
                nftnl_set_set_u32(p, nftnlAttribute(NFTNL_SET_DATA_LEN), data.length)
            }
        }
        if let timeout = set.timeoutMilliseconds {
            nftnl_set_set_u64(p, nftnlAttribute(NFTNL_SET_TIMEOUT), timeout)
        }
        // Field lengths matter to the kernel only for interval sets (the pipapo backend); for
        // hash sets it rejects them, as nft never sends them there.
        if set.keyType.count > 1, set.flags.contains(.interval) {
            let fieldLengths = set.keyType.map { UInt8(truncatingIfNeeded: $0.length) }
            fieldLengths.withUnsafeBytes { raw in
                _ = nftnl_set_set_data(p, nftnlAttribute(NFTNL_SET_DESC_CONCAT), raw.baseAddress, UInt32(raw.count))
            }
        }
        // nft reads the byte order of keys and data from the set's user data to print them.
        var userData: [UInt8] = []
        Self.appendUserData(&userData, type: Self.userDataKeyByteOrder,
                            value: set.keyType.count == 1 && set.keyType[0].isHostOrder ? 1 : 2)
        if let data = set.dataType, data != .verdict {
            Self.appendUserData(&userData, type: Self.userDataDataByteOrder, value: data.isHostOrder ? 1 : 2)
        }
        userData.withUnsafeBytes { raw in
            _ = nftnl_set_set_data(p, nftnlAttribute(NFTNL_SET_USERDATA), raw.baseAddress, UInt32(raw.count))
        }
        let header = startMessage(type: NFT_MSG_NEWSET.rawValue, family: set.family, flags: NLM_F_CREATE, origin: origin)
        nftnl_set_nlmsg_build_payload(header, p)
        finish(header)
    }

    /// libnftnl's user data types for a set's key and data byte order (`NFTNL_UDATA_SET_*`,
    /// in libnftnl/udata.h, which the CNftnl module does not include).
    private static let userDataKeyByteOrder: UInt8 = 0
    private static let userDataDataByteOrder: UInt8 = 1
    /// libnftnl's user data type of an element comment (`NFTNL_UDATA_SET_ELEM_COMMENT`).
    static let userDataElementComment: UInt8 = 0

    /// One type-length-value of libnftnl's user data format, with a 32-bit host-order value.
    private static func appendUserData(_ bytes: inout [UInt8], type: UInt8, value: UInt32) {
        bytes.append(type)
        bytes.append(4)
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    private mutating func appendElements(_ elements: [NFElement], of set: NFSetReference, adding: Bool,
                                         operation: Int32) throws(NFTablesError) {
        var start = 0
        while start < elements.count {
            var end = start
            var listBytes = 0
            while end < elements.count {
                let element = elements[end]
                var size = 48 + Self.aligned(element.key.count)
                switch element.value {
                case .verdict(let verdict): size += 32 + Self.aligned((verdict.chain?.utf8.count ?? 0) + 1)
                case .data(let data): size += 8 + Self.aligned(data.count)
                case nil: break
                }
                if let comment = element.comment { size += 8 + Self.aligned(comment.utf8.count + 3) }
                if end > start, listBytes + size > Self.elementListLimit { break }
                listBytes += size
                end += 1
            }
            try appendElementMessage(elements[start..<end], of: set, adding: adding,
                                     origin: Origin(operation: operation, firstElement: Int32(start), elementCount: Int32(end - start)))
            start = end
        }
    }

    private mutating func appendElementMessage(_ elements: ArraySlice<NFElement>, of set: NFSetReference, adding: Bool,
                                               origin: Origin) throws(NFTablesError) {
        // Checked before the message starts, so a refused element leaves no partial message.
        for element in elements {
            guard !element.key.isEmpty, element.key.count <= 64 else {
                throw NFTablesError(kind: .invalidRequest, errno: 0, operation: adding ? "add element" : "delete element",
                                    object: set.description, detail: "operation \(origin.operation): a key has \(element.key.count) bytes, expected 1 to 64")
            }
            if adding, let comment = element.comment {
                let length = comment.utf8.count
                guard length <= NFElement.maximumCommentLength, !comment.utf8.contains(0) else {
                    throw NFTablesError(kind: .invalidRequest, errno: 0, operation: "add element", object: set.description,
                                        detail: "operation \(origin.operation): a comment has \(length) bytes, expected at most \(NFElement.maximumCommentLength) without NUL")
                }
            }
        }
        let header = startMessage(type: adding ? NFT_MSG_NEWSETELEM.rawValue : NFT_MSG_DELSETELEM.rawValue,
                                  family: set.family, flags: adding ? NLM_F_CREATE : 0, origin: origin)
        let m = NFMessageWriter(header: header)
        m.string(NFTA_SET_ELEM_LIST_SET, set.name)
        if let id = set.id { m.u32(NFTA_SET_ELEM_LIST_SET_ID, id) }
        m.string(NFTA_SET_ELEM_LIST_TABLE, set.table)
        m.nest(NFTA_SET_ELEM_LIST_ELEMENTS) {
            var number: UInt16 = 0
            for element in elements {
                number &+= 1
                m.nest(number: number) {
                    if adding, let timeout = element.timeoutMilliseconds { m.u64(NFTA_SET_ELEM_TIMEOUT, timeout) }
                    m.data(NFTA_SET_ELEM_KEY, element.key)
                    guard adding else { return }
                    switch element.value {
                    case .verdict(let verdict): m.verdict(NFTA_SET_ELEM_DATA, verdict)
                    case .data(let data): m.data(NFTA_SET_ELEM_DATA, data)
                    case nil: break
                    }
                    if let comment = element.comment {
                        // nft's user data: one type-length-value, the comment with its NUL.
                        var userData: [UInt8] = [Self.userDataElementComment, UInt8(comment.utf8.count + 1)]
                        userData.append(contentsOf: comment.utf8)
                        userData.append(0)
                        m.bytes(NFTA_SET_ELEM_USERDATA, userData)
                    }
                }
            }
        }
        finish(header)
    }
}
