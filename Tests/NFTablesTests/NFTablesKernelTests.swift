// Behaviour against the real kernel, each test in a network namespace it creates; Debian's
// `nft -j list ruleset` is the independent reader of what swiftlet programmed.

import Foundation
import NFTables
import TestSupport
import Testing

@Suite("NFTables against the kernel", .serialized, .requires(.root, .command(KernelTestEnvironment.nftPath), .command(KernelTestEnvironment.ipPath)))
struct NFTablesKernelTests {
    func expectRules(_ chain: String, in json: [[String: Any]], equal expected: [[[String: Any]]],
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = NftJSON.ruleExpressions(chain: chain, in: json)
        #expect(actual == expected.map { NftJSON.canonical($0) }, "chain \(chain)", sourceLocation: sourceLocation)
    }

    static var ipSaddr: [String: Any] { ["payload": ["protocol": "ip", "field": "saddr"]] }
    static var mark: [String: Any] { ["meta": ["key": "mark"]] }

    @Test func everyExpressionKindReadsBackFromNftAsMeant() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let sample = SampleRuleset(table: "kp")
        try connection.commit(sample.transaction())
        let json = try namespace.listRulesetJSON()

        expectRules("ep-1", in: json, equal: [
            [["match": ["op": "==", "left": Self.ipSaddr, "right": "10.0.0.1"]], ["jump": ["target": "mark-for-masq"]]],
            [["set": ["op": "update", "elem": ["elem": ["val": Self.ipSaddr, "timeout": 30]], "set": "@affinity-x"]]],
            [["match": ["op": "==", "left": ["meta": ["key": "l4proto"]], "right": "tcp"]], ["dnat": ["addr": "10.0.0.1", "port": 80]]],
        ])
        expectRules("ep-2", in: json, equal: [[["counter": ["packets": 0, "bytes": 0]]]])
        expectRules("mark-for-masq", in: json, equal: [
            [["mangle": ["key": Self.mark, "value": ["|": [Self.mark, 16384]]]]],
        ])
        expectRules("masq", in: json, equal: [
            [["match": ["op": "==", "left": ["&": [Self.mark, 16384]], "right": 0]], ["return": NSNull()]],
            [["mangle": ["key": Self.mark, "value": ["^": [Self.mark, 16384]]]]],
            [["masquerade": ["flags": "fully-random"]]],
        ])
        expectRules("nat-prerouting", in: json, equal: [
            [["vmap": ["key": ["concat": [["payload": ["protocol": "ip", "field": "daddr"]], ["meta": ["key": "l4proto"]],
                                          ["payload": ["protocol": "th", "field": "dport"]]]],
                       "data": "@service-ips"]]],
            [["match": ["op": "==", "left": ["fib": ["result": "type", "flags": ["daddr"]]], "right": "local"]],
             ["jump": ["target": "ep-2"]]],
            [["match": ["op": "in", "left": ["ct": ["key": "state"]], "right": "new"]], ["accept": NSNull()]],
            [["match": ["op": "!=", "left": Self.ipSaddr, "right": "@allowed"]], ["drop": NSNull()]],
        ])
        expectRules("svc-a", in: json, equal: [
            [["vmap": ["key": ["numgen": ["mode": "random", "mod": 2, "offset": 0]],
                       "data": ["set": [[0, ["goto": ["target": "ep-1"]]], [1, ["goto": ["target": "ep-2"]]]]]]]],
        ])
    }

    @Test func baseChainsCarryTheirHookPriorityAndPolicyAndRegularChainsNone() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        var tx = NFTransaction()
        for family in NFFamily.allCases {
            tx.add(NFTable(family: family, name: "t-\(family)"))
            tx.add(NFChain(family: family, table: "t-\(family)", name: "input",
                           base: .init(type: .filter, hook: .input, priority: 0, policy: .drop)))
            tx.add(NFChain(family: family, table: "t-\(family)", name: "post",
                           base: .init(type: .nat, hook: .postrouting, priority: NFChain.Base.Priority.srcnat, policy: .accept)))
            tx.add(NFChain(family: family, table: "t-\(family)", name: "out",
                           base: .init(type: .filter, hook: .output, priority: -150)))
            tx.add(NFChain(family: family, table: "t-\(family)", name: "regular"))
            tx.add(NFRule(family: family, table: "t-\(family)", chain: "input", expressions: [.verdict(.goto("regular"))]))
        }
        try connection.commit(tx)
        let chains = NftJSON.objects("chain", in: try namespace.listRulesetJSON())
        for family in NFFamily.allCases {
            func chain(_ name: String) -> String {
                let found = chains.first { $0["family"] as? String == family.rawValue && $0["name"] as? String == name }
                var copy = found ?? [:]
                copy["handle"] = nil
                return NftJSON.canonical(copy)
            }
            let table = "t-\(family)"
            #expect(chain("input") == NftJSON.canonical(["family": family.rawValue, "table": table, "name": "input", "type": "filter",
                                                         "hook": "input", "prio": 0, "policy": "drop"]))
            #expect(chain("post") == NftJSON.canonical(["family": family.rawValue, "table": table, "name": "post", "type": "nat",
                                                        "hook": "postrouting", "prio": 100, "policy": "accept"]))
            #expect(chain("out") == NftJSON.canonical(["family": family.rawValue, "table": table, "name": "out", "type": "filter",
                                                       "hook": "output", "prio": -150, "policy": "accept"]))
            #expect(chain("regular") == NftJSON.canonical(["family": family.rawValue, "table": table, "name": "regular"]))
        }
    }

    @Test func verdictMapWithConcatenatedKeysTakesAndLosesElements() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let sample = SampleRuleset(table: "kp")
        try connection.commit(sample.transaction())

        var tx = NFTransaction()
        tx.delete([sample.serviceElements[1]], from: sample.serviceIPs.reference)
        tx.add([NFElement(key: sample.serviceKey("10.96.0.12", NFValue.sctp, 9000), value: .verdict(.jump("ep-1")))],
               to: sample.serviceIPs.reference)
        try connection.commit(tx)

        let maps = NftJSON.objects("map", in: try namespace.listRulesetJSON())
        let map = try #require(maps.first { $0["name"] as? String == "service-ips" })
        #expect(NftJSON.canonical(map["type"] ?? "") == NftJSON.canonical(["ipv4_addr", "inet_proto", "inet_service"]))
        #expect(map["map"] as? String == "verdict")
        let elements = try #require(map["elem"] as? [Any]).map { NftJSON.canonical($0) }.sorted()
        #expect(elements == [
            NftJSON.canonical([["concat": ["10.96.0.10", "tcp", 80]], ["goto": ["target": "svc-a"]]]),
            NftJSON.canonical([["concat": ["10.96.0.12", "sctp", 9000]], ["jump": ["target": "ep-1"]]]),
        ].sorted())
    }

    @Test func setWithTimeoutFlagKeepsElementTimeouts() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let sample = SampleRuleset(table: "kp")
        try connection.commit(sample.transaction())
        var tx = NFTransaction()
        tx.add([NFElement(key: SampleRuleset.ip("10.1.2.3"), timeoutMilliseconds: 600_000),
                NFElement(key: SampleRuleset.ip("10.1.2.4"))], to: sample.affinity.reference)
        try connection.commit(tx)

        let sets = NftJSON.objects("set", in: try namespace.listRulesetJSON())
        let set = try #require(sets.first { $0["name"] as? String == "affinity-x" })
        #expect(set["timeout"] as? Int == 10800)
        #expect((set["flags"] as? [String])?.contains("timeout") == true)
        let elements = try #require(set["elem"] as? [[String: Any]]).compactMap { $0["elem"] as? [String: Any] }
        let byAddress = Dictionary(uniqueKeysWithValues: elements.map { ($0["val"] as? String ?? "", $0) })
        #expect(byAddress["10.1.2.3"]?["timeout"] as? Int == 600)
        // An element added without its own timeout expires by the set's (nft then prints none).
        let plain = try #require(byAddress["10.1.2.4"])
        #expect(plain["timeout"] == nil)
        let expires = try #require(plain["expires"] as? Int)
        #expect(expires > 10700 && expires <= 10800)
    }

    @Test func failingThirdMessageLeavesThePreviousRulesetAndNamesTheRule() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let sample = SampleRuleset(table: "kp")
        try connection.commit(sample.transaction())
        let before = try #require(try connection.listRuleset(family: .ip, table: "kp"))
        let jsonBefore = try namespace.nft(["-j", "list", "ruleset"])

        var tx = NFTransaction()
        tx.add(NFChain(family: .ip, table: "kp", name: "svc-new"))
        tx.add(sample.rule("svc-new", [.counter]))
        tx.add(sample.rule("svc-new", [.verdict(.jump("no-such-chain"))]))
        tx.add([NFElement(key: sample.serviceKey("10.96.0.99", NFValue.tcp, 443), value: .verdict(.goto("svc-new")))],
               to: sample.serviceIPs.reference)
        tx.flush(NFChain(family: .ip, table: "kp", name: "masq"))

        let error = try #require(throws: NFTablesError.self) { try connection.commit(tx) }
        #expect(error.kind == .rejected)
        #expect(error.operation == "add rule")
        #expect(error.object == "ip kp svc-new")
        #expect(error.errno == ENOENT)
        #expect(error.detail?.contains("operation 2 of 5") == true)
        #expect(error.description.hasPrefix("add rule ip kp svc-new: No such file or directory (ENOENT)"))

        let after = try #require(try connection.listRuleset(family: .ip, table: "kp"))
        #expect(after == before)
        #expect(try namespace.nft(["-j", "list", "ruleset"]) == jsonBefore)
    }

    @Test func readBackEqualsTheModelThatWasProgrammed() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let sample = SampleRuleset(table: "kp")
        try connection.commit(sample.transaction())
        let ruleset = try #require(try connection.listRuleset(family: .ip, table: "kp"))

        #expect(ruleset.chains.sorted { $0.name < $1.name } == sample.chains.sorted { $0.name < $1.name })
        let namedSets = ruleset.sets.filter { !$0.flags.contains(.anonymous) }.sorted { $0.name < $1.name }
        #expect(namedSets == [sample.affinity, sample.allowed, sample.serviceIPs])
        for chain in sample.chains where chain.name != "svc-a" {
            let expected = sample.namedRules.filter { $0.chain == chain.name }.map(\.expressions)
            #expect(ruleset.rules(inChain: chain.name).map(\.expressions) == expected, "chain \(chain.name)")
        }
        #expect(ruleset.rules.allSatisfy { $0.handle != nil })
        #expect(Set(ruleset.elements["service-ips"] ?? []) == Set(sample.serviceElements))
        #expect(ruleset.elements["allowed"] == [NFElement(key: SampleRuleset.ip("192.168.1.1"))])

        // The service chain's anonymous map: numgen into a lookup of a kernel-named `__map` set.
        let svc = try #require(ruleset.rules(inChain: "svc-a").first)
        guard case .lookup(let map, _, _, _) = try #require(svc.expressions.last) else {
            Issue.record("svc-a's rule does not end in a lookup: \(svc.expressions)")
            return
        }
        #expect(map.name.hasPrefix("__map"))
        #expect(Set(ruleset.elements[map.name] ?? []) == [
            NFElement(key: NFValue.host32(0), value: .verdict(.goto("ep-1"))),
            NFElement(key: NFValue.host32(1), value: .verdict(.goto("ep-2"))),
        ])
    }

    @Test func deletingAndFlushingRemovesOnlyWhatWasNamed() throws {
        let namespace = try TestNetworkNamespace()
        var connection = try namespace.connect()
        let sample = SampleRuleset(table: "kp")
        try connection.commit(sample.transaction())
        let masqHandles = try connection.listRules(family: .ip, table: "kp", chain: "masq").compactMap(\.handle)
        #expect(masqHandles.count == 3)

        var tx = NFTransaction()
        tx.deleteRule(family: .ip, table: "kp", chain: "masq", handle: masqHandles[0])
        tx.flush(NFChain(family: .ip, table: "kp", name: "ep-2"))
        tx.flush(sample.allowed.reference)
        try connection.commit(tx)

        let ruleset = try #require(try connection.listRuleset(family: .ip, table: "kp"))
        #expect(ruleset.rules(inChain: "masq").compactMap(\.handle) == Array(masqHandles.dropFirst()))
        #expect(ruleset.rules(inChain: "ep-2").isEmpty)
        #expect(ruleset.elements["allowed"] == [])

        var drop = NFTransaction()
        drop.delete(NFTable(family: .ip, name: "kp"))
        try connection.commit(drop)
        #expect(try connection.listRuleset(family: .ip, table: "kp") == nil)
        #expect(try namespace.listRulesetJSON().isEmpty)
    }
}
