import NFTables

/// The Service routing as the kernel holds it, read back from a `kube-proxy` table (swiftlet's
/// or upstream kube-proxy's: the layout is the same), for `swiftlet proxy rules`. Names come
/// from the chain names (`service-HASH-namespace/name/protocol/port`), endpoints from the DNAT
/// rules of the endpoint chains the dispatch rules go to.
public struct ProgrammedRoute: Sendable, Hashable {
    /// `namespace/name/protocol/port` as the chain names carry it.
    public var servicePort: String
    /// `tcp`, `udp` or `sctp`.
    public var `protocol`: String
    /// `address:port`, or `*:nodePort`.
    public var frontend: String
    /// Endpoints as `address:port`, empty when traffic is rejected or dropped.
    public var endpoints: [String]
    /// `Cluster`, `Local`, `reject` (no endpoints) or `drop` (no endpoint for this policy).
    public var policy: String

    /// Reads `family`'s `kube-proxy` table; empty when there is none.
    public static func read(from connection: inout NetfilterConnection, family: ProxyIPFamily) throws(NFTablesError) -> [ProgrammedRoute] {
        guard let ruleset = try connection.listRuleset(family: family.tableFamily, table: KubeProxyNames.table) else { return [] }
        return routes(in: ruleset, family: family)
    }

    /// The routes of a table read back.
    public static func routes(in ruleset: NFRuleset, family: ProxyIPFamily) -> [ProgrammedRoute] {
        var rulesByChain: [String: [NFRule]] = [:]
        for rule in ruleset.rules { rulesByChain[rule.chain, default: []].append(rule) }
        let addressLength = family.addressLength

        func servicePort(of chain: String) -> String {
            guard let dash = chain.firstIndex(of: "-") else { return chain }
            let rest = chain[chain.index(after: dash)...]
            guard let hashEnd = rest.firstIndex(of: "-") else { return String(rest) }
            return String(rest[rest.index(after: hashEnd)...])
        }

        func protocolName(_ number: UInt8) -> String {
            TransportProtocol.allCases.first { $0.number == number }?.nftName ?? String(number)
        }

        func gotoTargets(_ chain: String) -> [String] {
            var targets: [String] = []
            for rule in rulesByChain[chain] ?? [] {
                for expression in rule.expressions {
                    if case .verdict(.goto(let target)) = expression { targets.append(target) }
                    if case .lookup(let set, _, .some(.verdict), _) = expression, set.name.hasPrefix("__map") {
                        for element in ruleset.elements[set.name] ?? [] {
                            if case .verdict(.goto(let target)) = element.value { targets.append(target) }
                        }
                    }
                }
            }
            return targets
        }

        func endpoint(_ chain: String) -> String? {
            for rule in rulesByChain[chain] ?? [] {
                var immediates: [[UInt8]] = []
                for expression in rule.expressions {
                    if case .immediate(let data, _) = expression { immediates.append(data) }
                    if case .nat = expression, immediates.count == 2, immediates[1].count >= 2 {
                        let address = AddressText.format(immediates[0])
                        let port = UInt16(immediates[1][0]) << 8 | UInt16(immediates[1][1])
                        return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
                    }
                }
            }
            return nil
        }

        /// Follows an external chain to its policy chain, then the dispatch to the endpoints.
        func resolve(_ chain: String) -> (endpoints: [String], policy: String) {
            var policyChain = chain
            if chain.hasPrefix("external-") {
                policyChain = gotoTargets(chain).last ?? chain
            }
            let endpoints = Array(Set(gotoTargets(policyChain).filter { $0.hasPrefix("endpoint-") }.compactMap(endpoint))).sorted()
            return (endpoints, policyChain.hasPrefix("local-") ? "Local" : "Cluster")
        }

        var routes: [ProgrammedRoute] = []
        for element in ruleset.elements[ProxyMap.serviceIPs.rawValue] ?? [] {
            guard element.key.count >= addressLength + 6, case .verdict(.goto(let chain)) = element.value else { continue }
            let address = AddressText.format(Array(element.key[0..<addressLength]))
            let port = UInt16(element.key[addressLength + 4]) << 8 | UInt16(element.key[addressLength + 5])
            let (endpoints, policy) = resolve(chain)
            routes.append(ProgrammedRoute(servicePort: servicePort(of: chain), protocol: protocolName(element.key[addressLength]),
                                          frontend: address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)",
                                          endpoints: endpoints, policy: policy))
        }
        for element in ruleset.elements[ProxyMap.serviceNodePorts.rawValue] ?? [] {
            guard element.key.count >= 6, case .verdict(.goto(let chain)) = element.value else { continue }
            let port = UInt16(element.key[4]) << 8 | UInt16(element.key[5])
            let (endpoints, policy) = resolve(chain)
            routes.append(ProgrammedRoute(servicePort: servicePort(of: chain), protocol: protocolName(element.key[0]),
                                          frontend: "*:\(port)", endpoints: endpoints, policy: policy))
        }
        for map in [ProxyMap.noEndpointServices, .noEndpointNodePorts] {
            for element in ruleset.elements[map.rawValue] ?? [] {
                let frontend: String
                let number: UInt8
                if map == .noEndpointServices, element.key.count >= addressLength + 6 {
                    number = element.key[addressLength]
                    let address = AddressText.format(Array(element.key[0..<addressLength]))
                    let port = UInt16(element.key[addressLength + 4]) << 8 | UInt16(element.key[addressLength + 5])
                    frontend = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
                } else if element.key.count >= 6 {
                    number = element.key[0]
                    frontend = "*:\(UInt16(element.key[4]) << 8 | UInt16(element.key[5]))"
                } else { continue }
                let rejected = element.value == .verdict(.goto(KubeProxyNames.rejectChain))
                routes.append(ProgrammedRoute(servicePort: "-", protocol: protocolName(number), frontend: frontend, endpoints: [],
                                              policy: rejected ? "reject" : "drop"))
            }
        }
        return routes.sorted { ($0.servicePort, $0.frontend, $0.protocol) < ($1.servicePort, $1.frontend, $1.protocol) }
    }

    /// The routes as the plain table `swiftlet proxy rules` prints.
    public static func table(_ routes: [ProgrammedRoute]) -> String {
        var rows: [[String]] = [["SERVICE", "PROTO", "FRONTEND", "ENDPOINTS", "POLICY"]]
        for route in routes {
            let endpoints = route.endpoints.isEmpty ? ["-"] : route.endpoints
            for (index, endpoint) in endpoints.enumerated() {
                rows.append(index == 0 ? [route.servicePort, route.protocol, route.frontend, endpoint, route.policy] : ["", "", "", endpoint, ""])
            }
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 4 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }
}
