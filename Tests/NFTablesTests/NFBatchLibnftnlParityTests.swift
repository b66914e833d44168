// The batch writes chains, rules and elements with libmnl itself; the kernel must receive the
// same bytes libnftnl would have sent for the same objects. Each test encodes one operation both
// ways and compares the whole message, header included.

import CSwiftletNetfilter
@testable import NFTables
import Testing

@Suite("NFTables batch encoding matches libnftnl")
struct NFBatchLibnftnlParityTests {
    /// The first message after batch-begin of a batch holding only `operation`.
    func ourMessage(_ operation: NFOperation, sequence: UInt32) throws -> [UInt8] {
        var batch = NFBatch(firstSequence: sequence - 1, expectedOperations: 1)
        try batch.encode(Self.transaction(of: operation))
        let bytes = batch.bytes
        let beginLength = NFBatch.aligned(Int(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        let length = Int(bytes.loadUnaligned(fromByteOffset: beginLength, as: UInt32.self))
        return Array(bytes[beginLength..<(beginLength + length)])
    }

    static func transaction(of operation: NFOperation) -> NFTransaction {
        var tx = NFTransaction()
        switch operation {
        case .addChain(let chain): tx.add(chain)
        case .deleteChain(let chain): tx.delete(chain)
        case .flushChain(let chain): tx.flush(chain)
        case .addRule(let rule): tx.add(rule)
        case .addElements(let set, let elements): tx.add(elements, to: set)
        case .deleteElements(let set, let elements): tx.delete(elements, from: set)
        default: Issue.record("no transaction for \(operation.verb)")
        }
        return tx
    }

    func expectSameBytes(_ operation: NFOperation, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try ourMessage(operation, sequence: 4711)
        let theirs = LibnftnlReference.message(operation, sequence: 4711)
        #expect(ours.count == theirs.count, "\(operation.verb): \(ours.count) bytes, libnftnl \(theirs.count)", sourceLocation: sourceLocation)
        if ours != theirs {
            let first = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, theirs.count)
            Issue.record("\(operation.verb) \(operation.object): first difference at byte \(first); ours \(ours), libnftnl \(theirs)",
                         sourceLocation: sourceLocation)
        }
    }

    static let set = NFSetReference(family: .ip, table: "kube-proxy", name: "service-ips")
    static let anonymous = NFSetReference(family: .ip, table: "kube-proxy", name: "__map%d", id: 7)

    /// One rule per expression kind and variant the model has.
    static let expressionsOfEveryKind: [(String, [NFExpression])] = [
        ("payload", [.payload(base: .network, offset: 16, length: 4, dreg: .r1)]),
        ("payload transport", [.payload(base: .transport, offset: 2, length: 2, dreg: .r32(1))]),
        ("meta", [.meta(key: .l4proto, dreg: .r1)]),
        ("meta set", [.metaSet(key: .mark, sreg: .r1)]),
        ("cmp", [.cmp(op: .neq, sreg: .r1, data: [127, 0, 0, 0])]),
        ("cmp one byte", [.cmp(op: .eq, sreg: .r1, data: [6])]),
        ("cmp sixteen bytes", [.cmp(op: .gte, sreg: .r2, data: Array(0..<16))]),
        ("bitwise", [.bitwise(sreg: .r1, dreg: .r1, mask: [0xff, 0xff, 0xc0, 0], xor: [0, 0, 0, 0])]),
        ("lookup", [.lookup(set: set, sreg: .r1, dreg: nil)]),
        ("lookup verdict map", [.lookup(set: set, sreg: .r1, dreg: .verdict)]),
        ("lookup inverted", [.lookup(set: set, sreg: .r1, dreg: nil, invert: true)]),
        ("lookup anonymous", [.lookup(set: anonymous, sreg: .r1, dreg: .verdict)]),
        ("immediate", [.immediate(data: [10, 0, 0, 1], dreg: .r1)]),
        ("immediate port", [.immediate(data: [0x1f, 0x90], dreg: .r2)]),
        ("verdict accept", [.verdict(.accept)]),
        ("verdict drop", [.verdict(.drop)]),
        ("verdict return", [.verdict(.return)]),
        ("verdict continue", [.verdict(.continue)]),
        ("verdict jump", [.verdict(.jump("mark-for-masquerade"))]),
        ("verdict goto", [.verdict(.goto("service-ULMVA6XW-ns1/svc1/tcp/p80"))]),
        ("numgen", [.numgen(mode: .random, modulus: 3, dreg: .r1)]),
        ("numgen incremental offset", [.numgen(mode: .incremental, modulus: 5, offset: 2, dreg: .r1)]),
        ("dnat", [.nat(.init(kind: .dnat, family: .ip, addressMin: .r1, portMin: .r2, flags: 0x2))]),
        ("snat ranges", [.nat(.init(kind: .snat, family: .ip6, addressMin: .r1, addressMax: .r2, portMin: .r3, portMax: .r4))]),
        ("dnat address only", [.nat(.init(kind: .dnat, family: .ip, addressMin: .r1))]),
        ("ct", [.ct(key: .state, dreg: .r1)]),
        ("fib", [.fib(flags: [.daddr], result: .addrtype, dreg: .r1)]),
        ("fib two flags", [.fib(flags: [.saddr, .iif], result: .oif, dreg: .r1)]),
        ("masquerade", [.masquerade()]),
        ("masquerade fully-random", [.masquerade(flags: 0x10)]),
        ("counter", [.counter]),
        ("reject icmp", [.reject(code: 3)]),
        ("reject tcp reset", [.reject(type: .tcpReset, code: 0)]),
        ("dynset", [.dynset(op: .update, set: set, sregKey: .r1)]),
        ("dynset with data, timeout and id", [.dynset(op: .add, set: anonymous, sregKey: .r1, sregData: .r2, timeoutMilliseconds: 10_800_000)]),
    ]

    @Test(arguments: expressionsOfEveryKind.map(\.0))
    func ruleWithEachExpressionKindIsEncodedAsLibnftnlDoes(kind: String) throws {
        let expressions = try #require(Self.expressionsOfEveryKind.first { $0.0 == kind }?.1)
        try expectSameBytes(.addRule(NFRule(family: .ip, table: "kube-proxy", chain: "endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
                                            expressions: expressions)))
    }

    @Test func ruleWithEveryExpressionKindAtOnceIsEncodedAsLibnftnlDoes() throws {
        let all = Self.expressionsOfEveryKind.flatMap(\.1)
        try expectSameBytes(.addRule(NFRule(family: .inet, table: "t", chain: "c", expressions: all)))
        try expectSameBytes(.addRule(NFRule(family: .ip6, table: "kube-proxy", chain: "services", expressions: [])))
    }

    @Test func chainsAreEncodedAsLibnftnlDoes() throws {
        try expectSameBytes(.addChain(NFChain(family: .ip, table: "kube-proxy", name: "service-ULMVA6XW-ns1/svc1/tcp/p80")))
        try expectSameBytes(.addChain(NFChain(family: .ip6, table: "kube-proxy", name: "nat-prerouting",
                                              base: .init(type: .nat, hook: .prerouting, priority: -100, policy: .accept))))
        try expectSameBytes(.addChain(NFChain(family: .inet, table: "t", name: "filter-output",
                                              base: .init(type: .filter, hook: .output, priority: 10, policy: .drop))))
        try expectSameBytes(.deleteChain(NFChain(family: .ip, table: "kube-proxy", name: "external-ABC")))
        try expectSameBytes(.flushChain(NFChain(family: .ip, table: "kube-proxy", name: "services")))
    }

    @Test func elementsOfEveryShapeAreEncodedAsLibnftnlDoes() throws {
        let key = NFElement.concatenatedKey(NFValue.ipv4("172.30.0.41")!, [NFValue.tcp], NFValue.port(80))
        let elements = [
            NFElement(key: key, value: .verdict(.goto("service-ULMVA6XW-ns1/svc1/tcp/p80"))),
            NFElement(key: key, value: .verdict(.jump("x"))),
            NFElement(key: key, value: .verdict(.drop)),
            NFElement(key: [10, 0, 0, 1]),
            NFElement(key: [10, 0, 0, 2], value: .data([0, 0, 0, 9])),
            NFElement(key: [10, 0, 0, 3], timeoutMilliseconds: 10_800_000),
            NFElement(key: [10, 0, 0, 4], value: .verdict(.accept), comment: "ns1/svc1:p80"),
            NFElement(key: Array(repeating: 0xab, count: 64), comment: ""),
        ]
        try expectSameBytes(.addElements(Self.set, elements))
        try expectSameBytes(.addElements(Self.anonymous, elements))
        try expectSameBytes(.deleteElements(Self.set, elements))
        try expectSameBytes(.addElements(Self.anonymous, (0..<3).map {
            NFElement(key: NFValue.host32(UInt32($0)), value: .verdict(.goto("endpoint-\($0)")))
        }))
    }
}

@Suite("NFTables values")
struct NFValueTests {
    @Test func ipv4ReadsDottedQuadsAndRefusesEverythingElse() {
        #expect(NFValue.ipv4("10.96.0.1") == [10, 96, 0, 1])
        #expect(NFValue.ipv4("255.255.255.255") == [255, 255, 255, 255])
        #expect(NFValue.ipv4("0.0.0.0") == [0, 0, 0, 0])
        #expect(NFValue.ipv4("010.001.0.00") == [10, 1, 0, 0])
        for bad in ["", "10.96.0", "10.96.0.1.2", "10.96.0.256", "10..0.1", ".10.0.1", "10.0.1.", "10.0.0.x",
                    "10.0.0.1 ", "fd00::1", "1000.0.0.1", "10.0.0.-1"] {
            #expect(NFValue.ipv4(bad) == nil, "\(bad)")
        }
    }
}
