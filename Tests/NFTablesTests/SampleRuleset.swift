// A ruleset shaped like kube-proxy's nftables mode, written with the NFTables model, that the
// kernel tests program and compare against `nft -j list ruleset`.

import NFTables

struct SampleRuleset {
    let family: NFFamily = .ip
    let table: String

    var affinity: NFSet {
        NFSet(family: family, table: table, name: "affinity-x", keyType: [.ipv4Address], flags: [.timeout, .dynamic],
              timeoutMilliseconds: 3 * 3600 * 1000)
    }

    var allowed: NFSet {
        NFSet(family: family, table: table, name: "allowed", keyType: [.ipv4Address])
    }

    var serviceIPs: NFSet {
        NFSet(family: family, table: table, name: "service-ips", keyType: [.ipv4Address, .inetProto, .inetService],
              dataType: .verdict)
    }

    var chains: [NFChain] {
        ["ep-1", "ep-2", "mark-for-masq", "masq", "svc-a"].map { NFChain(family: family, table: table, name: $0) }
            + [NFChain(family: family, table: table, name: "nat-prerouting",
                       base: .init(type: .nat, hook: .prerouting, priority: NFChain.Base.Priority.dstnat, policy: .accept))]
    }

    static func ip(_ text: String) -> [UInt8] { NFValue.ipv4(text)! }

    func serviceKey(_ address: String, _ proto: UInt8, _ port: UInt16) -> [UInt8] {
        NFElement.concatenatedKey(Self.ip(address), NFValue.inetProto(proto), NFValue.port(port))
    }

    func rule(_ chain: String, _ expressions: [NFExpression]) -> NFRule {
        NFRule(family: family, table: table, chain: chain, expressions: expressions)
    }

    /// The rules of the named chains (the `svc-a` rule needs its anonymous map, see `transaction`).
    var namedRules: [NFRule] {
        let r1 = NFRegister.r1
        return [
            rule("ep-1", [.payload(base: .network, offset: 12, length: 4, dreg: r1), .cmp(op: .eq, sreg: r1, data: Self.ip("10.0.0.1")),
                          .verdict(.jump("mark-for-masq"))]),
            rule("ep-1", [.payload(base: .network, offset: 12, length: 4, dreg: r1),
                          .dynset(op: .update, set: affinity.reference, sregKey: r1, timeoutMilliseconds: 30_000)]),
            rule("ep-1", [.meta(key: .l4proto, dreg: r1), .cmp(op: .eq, sreg: r1, data: [NFValue.tcp]),
                          .immediate(data: Self.ip("10.0.0.1"), dreg: r1), .immediate(data: NFValue.port(80), dreg: .r2),
                          .nat(.init(kind: .dnat, family: .ip, addressMin: r1, portMin: .r2, flags: 0x2))]),
            rule("ep-2", [.counter]),
            rule("mark-for-masq", [.meta(key: .mark, dreg: r1),
                                   .bitwise(sreg: r1, dreg: r1, mask: NFValue.host32(0xffff_bfff), xor: NFValue.host32(0x4000)),
                                   .metaSet(key: .mark, sreg: r1)]),
            rule("masq", [.meta(key: .mark, dreg: r1),
                          .bitwise(sreg: r1, dreg: r1, mask: NFValue.host32(0x4000), xor: NFValue.host32(0)),
                          .cmp(op: .eq, sreg: r1, data: NFValue.host32(0)), .verdict(.return)]),
            rule("masq", [.meta(key: .mark, dreg: r1),
                          .bitwise(sreg: r1, dreg: r1, mask: NFValue.host32(0xffff_ffff), xor: NFValue.host32(0x4000)),
                          .metaSet(key: .mark, sreg: r1)]),
            rule("masq", [.masquerade(flags: 0x10)]),
            rule("nat-prerouting", [.payload(base: .network, offset: 16, length: 4, dreg: r1),
                                    .meta(key: .l4proto, dreg: .r32(1)),
                                    .payload(base: .transport, offset: 2, length: 2, dreg: .r32(2)),
                                    .lookup(set: serviceIPs.reference, sreg: r1, dreg: .verdict)]),
            rule("nat-prerouting", [.fib(flags: .daddr, result: .addrtype, dreg: r1), .cmp(op: .eq, sreg: r1, data: NFValue.host32(2)),
                                    .verdict(.jump("ep-2"))]),
            rule("nat-prerouting", [.ct(key: .state, dreg: r1), .bitwise(sreg: r1, dreg: r1, mask: NFValue.host32(8), xor: NFValue.host32(0)),
                                    .cmp(op: .neq, sreg: r1, data: NFValue.host32(0)), .verdict(.accept)]),
            rule("nat-prerouting", [.payload(base: .network, offset: 12, length: 4, dreg: r1),
                                    .lookup(set: allowed.reference, sreg: r1, dreg: nil, invert: true), .verdict(.drop)]),
        ]
    }

    var serviceElements: [NFElement] {
        [NFElement(key: serviceKey("10.96.0.10", NFValue.tcp, 80), value: .verdict(.goto("svc-a"))),
         NFElement(key: serviceKey("10.96.0.11", NFValue.udp, 53), value: .verdict(.goto("ep-2")))]
    }

    /// The whole ruleset as one transaction.
    func transaction() -> NFTransaction {
        var tx = NFTransaction()
        tx.add(NFTable(family: family, name: table))
        for set in [affinity, allowed, serviceIPs] { tx.add(set) }
        for chain in chains { tx.add(chain) }
        tx.add([NFElement(key: Self.ip("192.168.1.1"))], to: allowed.reference)
        tx.add(serviceElements, to: serviceIPs.reference)
        for rule in namedRules { tx.add(rule) }
        let endpoints = tx.addAnonymousSet(
            family: family, table: table, keyType: [.integer(length: 4)], dataType: .verdict,
            elements: [NFElement(key: NFValue.host32(0), value: .verdict(.goto("ep-1"))),
                       NFElement(key: NFValue.host32(1), value: .verdict(.goto("ep-2")))])
        tx.add(rule("svc-a", [.numgen(mode: .random, modulus: 2, dreg: .r1), .lookup(set: endpoints, sreg: .r1, dreg: .verdict)]))
        return tx
    }
}
