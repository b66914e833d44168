// A local timing print (not asserted) of a large batch against `nft -f` of the same ruleset,
// so the size of the gap is known; the test does assert that both programmed the same amount.

import Foundation
@testable import NFTables
import TestSupport
import Testing

@Suite("NFTables timing", .serialized, .requires(.root, .command(KernelTestEnvironment.nftPath), .command(KernelTestEnvironment.ipPath)))
struct NFTablesTimingTests {
    static let chainCount = 10_000
    static let ports: [(proto: UInt8, name: String, port: UInt16)] = [(NFValue.tcp, "tcp", 80), (NFValue.tcp, "tcp", 443), (NFValue.udp, "udp", 53)]

    static func address(_ i: Int) -> String { "10.96.\(i / 256).\(i % 256)" }

    func transaction() -> NFTransaction {
        var tx = NFTransaction()
        tx.add(NFTable(family: .ip, name: "bench"))
        let map = NFSet(family: .ip, table: "bench", name: "service-ips",
                        keyType: [.ipv4Address, .inetProto, .inetService], dataType: .verdict)
        tx.add(map)
        var elements: [NFElement] = []
        elements.reserveCapacity(Self.chainCount * Self.ports.count)
        for i in 0..<Self.chainCount {
            let chain = "svc-\(i)"
            let address = NFValue.ipv4(Self.address(i))!
            tx.add(NFChain(family: .ip, table: "bench", name: chain))
            tx.add(NFRule(family: .ip, table: "bench", chain: chain, expressions: [
                .payload(base: .network, offset: 16, length: 4, dreg: .r1), .cmp(op: .eq, sreg: .r1, data: address),
                .counter, .verdict(.accept),
            ]))
            for port in Self.ports {
                elements.append(NFElement(key: NFElement.concatenatedKey(address, [port.proto], NFValue.port(port.port)),
                                          value: .verdict(.goto(chain))))
            }
        }
        tx.add(elements, to: map.reference)
        return tx
    }

    func nftText() -> String {
        var text = "table ip bench {\n map service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }\n"
        for i in 0..<Self.chainCount {
            text += " chain svc-\(i) { ip daddr \(Self.address(i)) counter accept; }\n"
        }
        text += "}\nadd element ip bench service-ips {\n"
        for i in 0..<Self.chainCount {
            for port in Self.ports {
                text += " \(Self.address(i)) . \(port.name) . \(port.port) : goto svc-\(i),\n"
            }
        }
        text += "}\n"
        return text
    }

    func milliseconds(_ duration: Duration) -> String {
        String(format: "%.1f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    @Test func tenThousandChainsAndThirtyThousandElementsAgainstNftFile() throws {
        let clock = ContinuousClock()
        let ours = try TestNetworkNamespace()
        var connection = try ours.connect()

        var tx = NFTransaction()
        let buildTime = clock.measure { tx = transaction() }
        var batchBytes = 0
        let encodeTime = try clock.measure {
            var batch = NFBatch(firstSequence: 1, expectedOperations: tx.operations.count)
            try batch.encode(tx)
            batchBytes = batch.length
        }
        let commitTime = try clock.measure { try connection.commit(tx) }

        var change = NFTransaction()
        let map = NFSetReference(family: .ip, table: "bench", name: "service-ips")
        let oldKey = NFElement.concatenatedKey(NFValue.ipv4(Self.address(5))!, [NFValue.tcp], NFValue.port(80))
        change.delete([NFElement(key: oldKey)], from: map)
        change.add(NFChain(family: .ip, table: "bench", name: "svc-5-new"))
        change.add(NFRule(family: .ip, table: "bench", chain: "svc-5-new", expressions: [.counter, .verdict(.accept)]))
        change.add([NFElement(key: oldKey, value: .verdict(.goto("svc-5-new")))], to: map)
        let changeTime = try clock.measure { try connection.commit(change) }

        var chains: [NFChain] = []
        var elements: [NFElement] = []
        let readTime = try clock.measure {
            chains = try connection.listChains(family: .ip, table: "bench")
            elements = try connection.listElements(of: map)
        }

        let reference = try TestNetworkNamespace()
        let text = nftText()
        let nftTime = try clock.measure { try reference.nft(["-f", "-"], input: text) }
        let nftElements = try reference.nft(["list", "map", "ip", "bench", "service-ips"]).components(separatedBy: "goto svc-").count - 1

        #expect(chains.count == Self.chainCount + 1)
        #expect(elements.count == Self.chainCount * Self.ports.count)
        #expect(nftElements == Self.chainCount * Self.ports.count)

        let ratio = Double((buildTime + commitTime) / .milliseconds(1)) / Double(nftTime / .milliseconds(1))
        print("""
            NFTables timing (\(Self.chainCount) chains with one rule each, \(elements.count) verdict-map elements, ip family):
              build model + transaction: \(milliseconds(buildTime))
              encode alone (libnftnl into one buffer): \(milliseconds(encodeTime)), \(batchBytes / 1024) KiB
              encode + one sendmsg + kernel commit: \(milliseconds(commitTime))
              one endpoint change (4 operations): \(milliseconds(changeTime))
              read back chains + map elements: \(milliseconds(readTime))
              nft -f of the same ruleset: \(milliseconds(nftTime))
              swiftlet / nft: \(String(format: "%.3f", ratio))
            """)
    }
}
