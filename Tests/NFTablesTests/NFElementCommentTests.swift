// Element comments: written into the element's user data the way nft writes them, so nft shows
// them, and read back by swiftlet to tell whose an element is.

import Foundation
import NFTables
import TestSupport
import Testing

@Suite("NFTables element comments", .serialized, .requires(.root, .command(KernelTestEnvironment.nftPath), .command(KernelTestEnvironment.ipPath)))
struct NFElementCommentTests {
    @Test func elementCommentsReadBackFromTheKernelAndShowInNft() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let set = NFSet(family: .inet, table: "c", name: "ports", keyType: [.inetProto, .inetService])
        var transaction = NFTransaction()
        transaction.add(NFTable(family: .inet, name: "c"))
        transaction.add(set)
        transaction.add([
            NFElement(key: NFElement.concatenatedKey([NFValue.tcp], NFValue.port(80)), comment: "sandbox-a"),
            NFElement(key: NFElement.concatenatedKey([NFValue.udp], NFValue.port(53))),
        ], to: set.reference)
        try connection.commit(transaction)

        let read = try connection.listElements(of: set.reference)
        #expect(Set(read.map(\.comment)) == ["sandbox-a", nil])
        let listed = try #require(NftJSON.objects("set", in: try namespace.listRulesetJSON()).first)
        let text = NftJSON.canonical(listed["elem"] ?? [])
        #expect(text.contains(#""comment":"sandbox-a""#))
    }

    @Test func commentLongerThanNftAllowsIsRejectedBeforeSending() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let set = NFSet(family: .inet, table: "c", name: "ports", keyType: [.inetService])
        var transaction = NFTransaction()
        transaction.add(NFTable(family: .inet, name: "c"))
        transaction.add(set)
        transaction.add([NFElement(key: NFValue.port(80), comment: String(repeating: "x", count: NFElement.maximumCommentLength + 1))],
                        to: set.reference)
        #expect {
            try connection.commit(transaction)
        } throws: { error in
            guard let error = error as? NFTablesError else { return false }
            return error.kind == .invalidRequest && error.description.contains("comment")
        }
        #expect(try connection.listTables().isEmpty)
    }
}
