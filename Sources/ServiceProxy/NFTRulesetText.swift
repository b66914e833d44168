import NFTables

/// Renders the same ruleset the proxier programs as `nft -f` input, one command per line in the
/// way upstream's kube-proxy (through knftables) writes its transactions: `add table`,
/// `add chain`, `add rule`, `add element`. The benchmark loads it with `nft -f` as the peer of
/// a swiftlet full sync; people read it to see what a sync programs.
public struct NFTRulesetText {
    public let builder: RulesetBuilder

    public init(builder: RulesetBuilder) {
        self.builder = builder
    }

    private var prefix: String { "\(builder.family.tableFamily) \(KubeProxyNames.table)" }

    /// The whole table for a fresh start (as a first full sync writes it).
    public func render(fragments: [(ServicePortName, ServiceFragment)]) -> String {
        var out = "add table \(prefix)\n"
        for base in RulesetBuilder.baseChains {
            out += "add chain \(prefix) \(base.name) { type \(base.type.rawValue) hook \(base.hook.name) priority \(base.priority) ; }\n"
        }
        let fixed = builder.fixedChains
        let baseNames = Set(RulesetBuilder.baseChains.map(\.name))
        for chain in fixed where !baseNames.contains(chain.name) { out += "add chain \(prefix) \(chain.name)\n" }
        for set in builder.fixedSets {
            let kind = set.dataType == nil ? "set" : "map"
            let type = set.keyType.map(\.name).joined(separator: " . ") + (set.dataType.map { " : \($0.name)" } ?? "")
            out += "add \(kind) \(prefix) \(set.name) { type \(type) ; }\n"
        }
        for element in builder.nodePortIPElements {
            out += "add element \(prefix) \(KubeProxyNames.nodePortIPs) { \(AddressText.format(element.key)) }\n"
        }
        for chain in fixed {
            for rule in chain.rules {
                for statement in statements(rule) { out += "add rule \(prefix) \(chain.name) \(statement)\n" }
            }
        }
        var ledger = ElementLedger()
        for (name, fragment) in fragments {
            _ = ledger.replace(owner: name, old: [], new: fragment.elements)
            for set in fragment.affinitySets {
                out += "add set \(prefix) \(set.name) { type \(builder.family.addressType.name) ; flags dynamic,timeout ; timeout \(set.timeoutSeconds)s ; }\n"
            }
            for chain in fragment.chains { out += "add chain \(prefix) \(chain.name)\n" }
        }
        for (_, fragment) in fragments {
            for chain in fragment.chains {
                for rule in chain.rules {
                for statement in statements(rule) { out += "add rule \(prefix) \(chain.name) \(statement)\n" }
            }
            }
        }
        for (map, elements) in ledger.elementsByMap.sorted(by: { $0.key < $1.key }) {
            for element in elements {
                var text = key(element.key, map: map)
                if case .verdict(let verdict) = element.value { text += " : \(verdict)" }
                out += "add element \(prefix) \(map.rawValue) { \(text) }\n"
            }
        }
        return out
    }

    private func key(_ bytes: [UInt8], map: ProxyMap) -> String {
        let addressLength = builder.family.addressLength
        switch map {
        case .clusterIPs:
            return AddressText.format(bytes)
        case .serviceNodePorts, .noEndpointNodePorts:
            return "\(protocolName(bytes[0])) . \(UInt16(bytes[4]) << 8 | UInt16(bytes[5]))"
        case .serviceIPs, .noEndpointServices, .firewallIPs:
            let address = AddressText.format(Array(bytes[0..<addressLength]))
            let port = UInt16(bytes[addressLength + 4]) << 8 | UInt16(bytes[addressLength + 5])
            return "\(address) . \(protocolName(bytes[addressLength])) . \(port)"
        }
    }

    private func protocolName(_ number: UInt8) -> String {
        TransportProtocol.allCases.first { $0.number == number }?.nftName ?? String(number)
    }

    /// The nft statements of one rule as the kernel holds it (several for a dispatch in
    /// `sequentialRules` form).
    func statements(_ rule: ProxyRule) -> [String] {
        guard !rule.dispatchTargets.isEmpty, builder.configuration.endpointDispatch == .sequentialRules else { return [statement(rule)] }
        return rule.sequentialDispatch.map { expressions($0).joined(separator: " ") }
    }

    /// A rule's nft statement text (a dispatch in upstream's verdict-map form).
    func statement(_ rule: ProxyRule) -> String {
        var parts = expressions(rule.expressions)
        if !rule.dispatchTargets.isEmpty {
            let map = rule.dispatchTargets.enumerated().map { "\($0.offset) : goto \($0.element)" }.joined(separator: ", ")
            parts.append("numgen random mod \(rule.dispatchTargets.count) vmap { \(map) }")
        }
        return parts.joined(separator: " ")
    }

    /// What a register holds, as nft names its source, and how to print values compared with it.
    private indirect enum Loaded {
        case address(String)
        case port(String)
        case l4proto
        case ctState
        case fib(String)
        case numgen(String)
        case mark
        /// `meta mark | X`, `meta mark ^ X` or `meta mark & X`.
        case markOperation(String, [UInt8])
        case masked(Loaded, [UInt8])
        /// The first bytes of an address field: a prefix on a byte boundary, as nft loads it.
        case addressPrefix(String, fieldLength: Int)

        var text: String {
            switch self {
            case .address(let name), .port(let name), .fib(let name), .numgen(let name), .addressPrefix(let name, _): name
            case .l4proto: "meta l4proto"
            case .ctState: "ct state"
            case .mark: "meta mark"
            case .markOperation(let op, let operand): "meta mark \(op) \(String(format32: operand))"
            case .masked(let inner, _): inner.text
            }
        }
    }

    /// Translates the expression patterns the builder writes into nft's words.
    func expressions(_ expressions: [NFExpression]) -> [String] {
        var parts: [String] = []
        var pending: [Loaded] = []
        var immediates: [[UInt8]] = []
        let family = builder.family
        func value(_ data: [UInt8], for loaded: Loaded) -> String {
            switch loaded {
            case .address: return AddressText.format(data)
            case .port: return String(UInt16(data[0]) << 8 | UInt16(data[1]))
            case .l4proto: return protocolName(data[0])
            case .ctState: return "new"
            case .fib: return "local"
            case .numgen: return String(data.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
            case .mark, .markOperation: return String(format32: data)
            case .masked(let inner, let mask):
                if case .address = inner {
                    let prefix = mask.reduce(0) { $0 + $1.nonzeroBitCount }
                    return "\(AddressText.format(data))/\(prefix)"
                }
                return value(data, for: inner)
            case .addressPrefix(_, let fieldLength):
                let address = data + [UInt8](repeating: 0, count: max(0, fieldLength - data.count))
                return "\(AddressText.format(address))/\(data.count * 8)"
            }
        }
        for expression in expressions {
            switch expression {
            case .payload(let base, let offset, let length, _):
                let field = NFExpression.PacketField(base: base, offset: offset, length: length)
                let name: String
                switch field {
                case family.sourceField: name = "\(family.tableFamily) saddr"
                case family.destinationField: name = "\(family.tableFamily) daddr"
                case .transportDestinationPort: name = "th dport"
                case .transportSourcePort: name = "th sport"
                default:
                    // A byte-boundary prefix of an address field loads only its first bytes.
                    let prefixed = [(family.sourceField, "saddr"), (family.destinationField, "daddr")].first {
                        base == $0.0.base && offset == $0.0.offset && length < $0.0.length
                    }
                    if let (address, word) = prefixed {
                        pending.append(.addressPrefix("\(family.tableFamily) \(word)", fieldLength: Int(address.length)))
                        continue
                    }
                    name = "@\(base),\(offset * 8),\(length * 8)"
                }
                pending.append(base == .transport ? .port(name) : .address(name))
            case .meta(let key, _):
                pending.append(key == .l4proto ? .l4proto : .mark)
            case .ct:
                pending.append(.ctState)
            case .fib(let flags, _, _):
                pending.append(.fib(flags.contains(.saddr) ? "fib saddr type" : "fib daddr type"))
            case .bitwise(_, _, let mask, let xor):
                guard let last = pending.popLast() else { break }
                if case .mark = last {
                    let maskValue = mask.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                    let xorValue = xor.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                    if xorValue == 0 { pending.append(.markOperation("&", mask)) }
                    else if maskValue == 0xffff_ffff { pending.append(.markOperation("^", xor)) }
                    else { pending.append(.markOperation("|", xor)) }
                } else {
                    pending.append(.masked(last, mask))
                }
            case .cmp(let op, _, let data):
                guard let last = pending.popLast() else { break }
                let opText = op == .eq ? "" : (op == .neq ? "!= " : "\(op) ")
                if case .masked(.ctState, _) = last {
                    parts.append("ct state new")
                } else if case .numgen = last {
                    parts.append("\(last.text) \(op == .eq ? "==" : "!=") \(value(data, for: last))")
                } else if case .markOperation = last {
                    parts.append("\(last.text) \(op == .eq ? "==" : "!=") \(String(format32: data))")
                } else {
                    parts.append("\(last.text) \(opText)\(value(data, for: last))")
                }
            case .lookup(let set, _, let dreg, let invert):
                let key = pending.map(\.text).joined(separator: " . ")
                pending.removeAll()
                parts.append(dreg == .verdict ? "\(key) vmap @\(set.name)" : "\(key) \(invert ? "!= " : "")@\(set.name)")
            case .metaSet:
                if let last = pending.popLast() { parts.append("meta mark set \(last.text)") }
            case .immediate(let data, _):
                immediates.append(data)
            case .nat(let nat):
                let address = immediates.first.map(AddressText.format) ?? "?"
                let port = immediates.count > 1 ? String(UInt16(immediates[1][0]) << 8 | UInt16(immediates[1][1])) : nil
                let target = family == .ipv6 ? "[\(address)]" : address
                parts.append("dnat \(nat.family) to \(target)\(port.map { ":\($0)" } ?? "")")
                immediates.removeAll()
            case .dynset(let op, let set, _, _, _):
                let key = pending.map(\.text).joined(separator: " . ")
                pending.removeAll()
                parts.append("\(op == .update ? "update" : op == .add ? "add" : "delete") @\(set.name) { \(key) }")
            case .verdict(let verdict):
                parts.append(verdict.description)
            case .masquerade(let flags):
                parts.append(flags & 0x10 != 0 ? "masquerade fully-random" : "masquerade")
            case .reject:
                parts.append("reject")
            case .counter:
                parts.append("counter")
            case .numgen(_, let modulus, _, _):
                pending.append(.numgen("numgen random mod \(modulus)"))
            }
        }
        return parts
    }
}

extension String {
    /// A host-order 32-bit value as nft prints marks (`0x00004000`).
    init(format32 bytes: [UInt8]) {
        self = hexMark(bytes)
    }
}

private func hexMark(_ bytes: [UInt8]) -> String {
    let value = bytes.count >= 4 ? bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } : 0
    let hex = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
}
