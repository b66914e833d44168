import Netlink
import NFTables

extension NFTablesPodNetworkFirewall {
    static let hostPortsChain = "hostports"
    static let hairpinChain = "hostport-masquerade"
    static let egressChain = "pod-egress"
    static let localnetGuardChain = "localnet-guard"

    /// `NFPROTO_IPV4` and `NFPROTO_IPV6`, as `meta nfproto` loads them.
    private static func isFamily(ipv4: Bool) -> [NFExpression] {
        [.meta(key: .nfproto, dreg: .r1), .cmp(op: .eq, sreg: .r1, data: [ipv4 ? 2 : 10])]
    }

    /// `fib daddr type local` (`RTN_LOCAL` is 2).
    static let destinationIsLocal: [NFExpression] = [
        .fib(flags: [.daddr], result: .addrtype, dreg: .r1), .cmp(op: .eq, sreg: .r1, data: NFValue.host32(2)),
    ]

    /// `meta nfproto ipvX dnat ipX to [ipX daddr .] meta l4proto . th dport map @set`: the
    /// concatenated key is built from register 1 on, and the map's `address . port` data lands
    /// there too, where the NAT expression reads the address and, one address further, the port.
    func hostPortDNAT(_ set: HostPortSet) -> [NFExpression] {
        let v4 = set.isIPv4
        let addressLength = v4 ? 4 : 16
        var expressions = Self.isFamily(ipv4: v4)
        var next = NFRegister.r1
        if set.isKeyedByHostIP {
            expressions.append(.load(v4 ? .ipv4Destination : .ipv6Destination, into: .r1))
            next = NFRegister.r1.advanced(byBytes: addressLength)
        }
        expressions.append(.meta(key: .l4proto, dreg: next))
        expressions.append(.load(.transportDestinationPort, into: next.advanced(byBytes: 1)))
        expressions.append(.lookup(set: reference(of: set), sreg: .r1, dreg: .r1))
        // NF_NAT_RANGE_PROTO_SPECIFIED: the port comes from the map too.
        expressions.append(.nat(.init(kind: .dnat, family: v4 ? .ip : .ip6, addressMin: .r1,
                                      portMin: NFRegister.r1.advanced(byBytes: addressLength), flags: 0x2)))
        return expressions
    }

    /// `meta nfproto ipvX ipX saddr . ipX daddr @hairpin-ipX masquerade`: a pod that reached
    /// itself through a hostPort sees the node as its peer, so its replies come back through it.
    func hairpinMasquerade(_ set: HostPortSet) -> [NFExpression] {
        let v4 = set.isIPv4
        return Self.isFamily(ipv4: v4) + [
            .load(v4 ? .ipv4Source : .ipv6Source, into: .r1),
            .load(v4 ? .ipv4Destination : .ipv6Destination, into: NFRegister.r1.advanced(byBytes: v4 ? 4 : 16)),
            .lookup(set: reference(of: set), sreg: .r1, dreg: nil),
            .masquerade(),
        ]
    }

    /// `ip saddr 127.0.0.0/8 ct status dnat masquerade`: a connection to `127.0.0.1:hostPort` on
    /// the node, sent on to a pod, leaves with the bridge's address (the pod could not answer
    /// 127.0.0.1), as CNI portmap does. Needs `route_localnet` on the bridge.
    static let localhostMasquerade: [NFExpression] = isFamily(ipv4: true) + [
        .load(.ipv4Source, into: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: [255, 0, 0, 0], xor: [0, 0, 0, 0]),
        .cmp(op: .eq, sreg: .r1, data: [127, 0, 0, 0]),
    ] + wasDestinationNATed + [.masquerade()]

    /// `ip daddr 127.0.0.0/8 ip saddr != 127.0.0.0/8 ct state != established,related ct status
    /// != dnat drop` (input): with `route_localnet` on the bridge, nothing from outside may reach
    /// the node's loopback services, only replies to the node's own localhost connections.
    static let localnetGuard: [NFExpression] = isFamily(ipv4: true) + [
        .load(.ipv4Destination, into: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: [255, 0, 0, 0], xor: [0, 0, 0, 0]),
        .cmp(op: .eq, sreg: .r1, data: [127, 0, 0, 0]),
        .load(.ipv4Source, into: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: [255, 0, 0, 0], xor: [0, 0, 0, 0]),
        .cmp(op: .neq, sreg: .r1, data: [127, 0, 0, 0]),
        // NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED)
        .ct(key: .state, dreg: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: NFValue.host32(0x2 | 0x4), xor: NFValue.host32(0)),
        .cmp(op: .eq, sreg: .r1, data: NFValue.host32(0)),
        // IPS_DST_NAT
        .ct(key: .status, dreg: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: NFValue.host32(0x20), xor: NFValue.host32(0)),
        .cmp(op: .eq, sreg: .r1, data: NFValue.host32(0)),
        .verdict(.drop),
    ]

    /// `ct status dnat`.
    private static let wasDestinationNATed: [NFExpression] = [
        .ct(key: .status, dreg: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: NFValue.host32(0x20), xor: NFValue.host32(0)),
        .cmp(op: .neq, sreg: .r1, data: NFValue.host32(0)),
    ]

    /// `ipX saddr CIDR ipX daddr != CIDR ipX daddr != multicast oifname != bridge masquerade`.
    static func egressMasquerade(from cidr: IPNetwork, bridge: String) -> [NFExpression] {
        let v4 = cidr.address.isIPv4
        let source: NFExpression.PacketField = v4 ? .ipv4Source : .ipv6Source
        let destination: NFExpression.PacketField = v4 ? .ipv4Destination : .ipv6Destination
        let mask = prefixMask(length: cidr.prefixLength, bytes: v4 ? 4 : 16)
        let zeros = [UInt8](repeating: 0, count: mask.count)
        let network = cidr.network.bytes
        // 224.0.0.0/4 and ff00::/8.
        let multicastMask: [UInt8] = v4 ? [0xf0, 0, 0, 0] : [0xff] + [UInt8](repeating: 0, count: 15)
        let multicast: [UInt8] = v4 ? [0xe0, 0, 0, 0] : [0xff] + [UInt8](repeating: 0, count: 15)
        var name = Array(bridge.utf8.prefix(15))
        name += [UInt8](repeating: 0, count: 16 - name.count)
        return isFamily(ipv4: v4) + [
            .load(source, into: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: mask, xor: zeros), .cmp(op: .eq, sreg: .r1, data: network),
            .load(destination, into: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: mask, xor: zeros), .cmp(op: .neq, sreg: .r1, data: network),
            .load(destination, into: .r1), .bitwise(sreg: .r1, dreg: .r1, mask: multicastMask, xor: zeros),
            .cmp(op: .neq, sreg: .r1, data: multicast),
            .meta(key: .oifname, dreg: .r1), .cmp(op: .neq, sreg: .r1, data: name),
            .masquerade(),
        ]
    }

    static func prefixMask(length: Int, bytes: Int) -> [UInt8] {
        (0..<bytes).map { index in
            let bits = min(max(length - index * 8, 0), 8)
            return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }

    /// The elements publishing `mappings` for `sandboxID` at `podIPs` (each mapping once per pod
    /// address of its family), plus a hairpin element per pod address that has any.
    /// - Throws: `PodNetworkError.invalidRequest` for a zero port or a host port given twice.
    static func entries(for mappings: [HostPortMapping], sandboxID: String, podIPs: [IPAddress]) throws -> [EntryKey: Entry] {
        var entries: [EntryKey: Entry] = [:]
        var published = Set<IPAddress>()
        for (index, mapping) in mappings.enumerated() {
            guard mapping.hostPort != 0, mapping.containerPort != 0 else {
                throw PodNetworkError.invalidRequest(field: "portMappings[\(index)]",
                                                     expected: "hostPort and containerPort from 1 to 65535")
            }
            // As CNI portmap: a hostIP of the other family skips the pod address; an unspecified
            // one (0.0.0.0, ::) publishes on every node address of its family.
            let family = mapping.hostIP.map(\.isIPv4)
            let hostIP = mapping.hostIP.flatMap { address in address.bytes.allSatisfy { $0 == 0 } ? nil : address }
            let proto: UInt8 = switch mapping.protocol {
            case .tcp: NFValue.tcp
            case .udp: NFValue.udp
            case .sctp: NFValue.sctp
            }
            for podIP in podIPs {
                if let family, family != podIP.isIPv4 { continue }
                let set = HostPortSet.map(forIPv4: podIP.isIPv4, boundToHostIP: hostIP != nil)
                let key = hostIP.map { NFElement.concatenatedKey($0.bytes, [proto], NFValue.port(mapping.hostPort)) }
                    ?? NFElement.concatenatedKey([proto], NFValue.port(mapping.hostPort))
                let element = NFElement(key: key, value: .data(NFElement.concatenatedKey(podIP.bytes, NFValue.port(mapping.containerPort))),
                                        comment: sandboxID)
                let entryKey = EntryKey(set: set, key: key)
                if let earlier = entries[entryKey], earlier.element != element {
                    throw PodNetworkError.invalidRequest(field: "portMappings[\(index)]",
                                                         expected: "a host port not mapped twice, but \(set.describe(element)) is")
                }
                entries[entryKey] = Entry(set: set, element: element)
                published.insert(podIP)
            }
        }
        for podIP in published {
            let set: HostPortSet = podIP.isIPv4 ? .hairpinIPv4 : .hairpinIPv6
            let key = NFElement.concatenatedKey(podIP.bytes, podIP.bytes)
            entries[EntryKey(set: set, key: key)] = Entry(set: set, element: NFElement(key: key, comment: sandboxID))
        }
        return entries
    }

    /// The sandbox that publishes the element with `key`, if any.
    static func owner(of key: EntryKey, in index: [String: [EntryKey: Entry]]) -> String? {
        index.first { $0.value[key] != nil }?.key
    }

    /// - Throws: `PodNetworkError.invalidRequest` unless the id fits an element comment.
    static func validate(sandboxID: String) throws(PodNetworkError) {
        let bytes = Array(sandboxID.utf8)
        guard !bytes.isEmpty, bytes.count <= NFElement.maximumCommentLength, !bytes.contains(0) else {
            throw .invalidRequest(field: "sandboxID", expected: "1 to \(NFElement.maximumCommentLength) bytes without NUL (it is kept as an nftables comment), got \(bytes.count) bytes")
        }
    }
}
