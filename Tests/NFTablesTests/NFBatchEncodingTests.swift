// The batch encoder's bytes, without a kernel: framing, sequence numbers, element splitting,
// and the mapping from a message back to the operation that produced it.

import CMnl
import Glibc
import CSwiftletNetfilter
@testable import NFTables
import Testing

@Suite("NFTables batch encoding")
struct NFBatchEncodingTests {
    struct Message {
        var type: UInt16
        var flags: UInt16
        var sequence: UInt32
        var family: UInt8
        var resourceID: UInt16
        var length: Int
    }

    /// Splits a batch into its netlink messages.
    func messages(of batch: borrowing NFBatch) throws -> [Message] {
        var result: [Message] = []
        try NetfilterConnection.forEachMessage(in: batch.bytes) { header, payload in
            let family = payload.load(fromByteOffset: 0, as: UInt8.self)
            let resource = UInt16(bigEndian: payload.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
            result.append(Message(type: header.nlmsg_type, flags: header.nlmsg_flags, sequence: header.nlmsg_seq,
                                  family: family, resourceID: resource, length: Int(header.nlmsg_len)))
        }
        return result
    }

    func nftType(_ type: UInt32) -> UInt16 { UInt16((UInt32(NFNL_SUBSYS_NFTABLES) << 8) | type) }

    @Test func batchIsFramedByBeginAndEndWithConsecutiveSequenceNumbers() throws {
        var tx = NFTransaction()
        tx.add(NFTable(family: .inet, name: "t"))
        tx.add(NFChain(family: .inet, table: "t", name: "c"))
        tx.add(NFRule(family: .inet, table: "t", chain: "c", expressions: [.counter, .verdict(.accept)]))
        var batch = NFBatch(firstSequence: 1000, expectedOperations: 3)
        try batch.encode(tx)
        let all = try messages(of: batch)

        #expect(all.map(\.type) == [UInt16(NFNL_MSG_BATCH_BEGIN), nftType(NFT_MSG_NEWTABLE.rawValue),
                                    nftType(NFT_MSG_NEWCHAIN.rawValue), nftType(NFT_MSG_NEWRULE.rawValue),
                                    UInt16(NFNL_MSG_BATCH_END)])
        #expect(all.map(\.sequence) == [1000, 1001, 1002, 1003, 1004])
        #expect(all.first?.resourceID == UInt16(NFNL_SUBSYS_NFTABLES))
        #expect(all.dropFirst().dropLast().allSatisfy { $0.family == UInt8(NFPROTO_INET) })
        // No acknowledgement is asked for: the kernel reports only failures.
        #expect(all.allSatisfy { $0.flags & UInt16(NLM_F_ACK) == 0 })
        #expect(all[3].flags & UInt16(NLM_F_APPEND) != 0)
        #expect(batch.origin(ofSequence: 1003)?.operation == 2)
        #expect(batch.origin(ofSequence: 1000) == nil)
        #expect(batch.origin(ofSequence: 1004) == nil)
    }

    @Test func manyElementsAreSplitSoEachElementListFitsItsSixteenBitLength() throws {
        let set = NFSetReference(family: .ip, table: "t", name: "service-ips")
        let elements = (0..<20_000).map { i in
            NFElement(key: NFElement.concatenatedKey(NFValue.bigEndian32(0x0a60_0000 + UInt32(i)), [6], NFValue.port(80)),
                      value: .verdict(.goto("service-\(i)")))
        }
        var tx = NFTransaction()
        tx.add(elements, to: set)
        var batch = NFBatch(firstSequence: 1, expectedOperations: 1)
        try batch.encode(tx)
        let all = try messages(of: batch).dropFirst().dropLast()

        #expect(all.count > 1)
        #expect(all.allSatisfy { $0.type == nftType(NFT_MSG_NEWSETELEM.rawValue) && $0.length < 65_536 })
        let origins = batch.origins
        #expect(origins.map(\.elementCount).reduce(0, +) == 20_000)
        #expect(zip(origins, origins.dropFirst()).allSatisfy { $0.firstElement + $0.elementCount == $1.firstElement })
    }

    @Test func elementKeyOfWrongSizeIsRefusedNamingTheOperationAndSet() throws {
        var tx = NFTransaction()
        tx.add(NFTable(family: .ip, name: "t"))
        tx.add([NFElement(key: [])], to: NFSetReference(family: .ip, table: "t", name: "s"))
        var batch = NFBatch(firstSequence: 1, expectedOperations: 2)
        let error = try #require(throws: NFTablesError.self) { try batch.encode(tx) }
        #expect(error.kind == .invalidRequest)
        #expect(error.operation == "add element")
        #expect(error.object == "ip t s")
        #expect(error.detail?.contains("operation 1") == true)
    }

    @Test func concatenatedKeysPadEachPartToFourBytesAndTypesComposeAsNftDoes() {
        let key = NFElement.concatenatedKey(NFValue.ipv4("10.96.0.1")!, NFValue.inetProto(NFValue.tcp), NFValue.port(443))
        #expect(key == [10, 96, 0, 1, 6, 0, 0, 0, 0x01, 0xbb, 0, 0])
        let parts: [NFDataType] = [.ipv4Address, .inetProto, .inetService]
        #expect(NFDataType.concatenatedTypeID(parts) == 0x730d)
        #expect(NFDataType.keyLength(parts) == 12)
        #expect(NFDataType.parts(ofConcatenatedTypeID: 0x730d, keyLength: 12, fieldLengths: []) == parts)
        #expect(NFRegister.r1.advanced(byBytes: 4) == .r32(1))
    }

    @Test func kernelErrorReplyIsReadWithItsSequenceAndExtendedAckMessage() throws {
        // An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and NETLINK_EXT_ACK:
        // nlmsgerr (error, original header) then an NLMSGERR_ATTR_MSG attribute.
        var bytes: [UInt8] = []
        func append<T>(_ value: T) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        let text = Array("Chain not found".utf8) + [0]
        let attributeLength = 4 + text.count
        let total = 16 + 4 + 16 + (attributeLength + 3) / 4 * 4
        append(UInt32(total)); append(UInt16(NLMSG_ERROR)); append(UInt16(NLM_F_CAPPED | NLM_F_ACK_TLVS))
        append(UInt32(77)); append(UInt32(0))
        append(Int32(-ENOENT))
        append(UInt32(64)); append(nftType(NFT_MSG_NEWRULE.rawValue)); append(UInt16(NLM_F_REQUEST)); append(UInt32(42)); append(UInt32(0))
        append(UInt16(attributeLength)); append(UInt16(NLMSGERR_ATTR_MSG.rawValue))
        bytes.append(contentsOf: text)
        while bytes.count < total { bytes.append(0) }

        var failures: [NetfilterConnection.BatchFailure] = []
        try bytes.withUnsafeBytes { raw in
            try NetfilterConnection.collectErrors(in: raw, into: &failures, portID: 0)
        }
        #expect(failures.count == 1)
        #expect(failures.first?.sequence == 42)
        #expect(failures.first?.errno == ENOENT)
        #expect(failures.first?.message == "Chain not found")
    }
}
