import NFTables

/// The sets and maps whose elements follow the services (the per-service part of the layout
/// that is not a chain).
public enum ProxyMap: String, Sendable, Hashable, CaseIterable, Comparable {
    case clusterIPs = "cluster-ips"
    case serviceIPs = "service-ips"
    case serviceNodePorts = "service-nodeports"
    case noEndpointServices = "no-endpoint-services"
    case noEndpointNodePorts = "no-endpoint-nodeports"
    case firewallIPs = "firewall-ips"

    public static func < (a: ProxyMap, b: ProxyMap) -> Bool { a.rawValue < b.rawValue }

    /// The set or map in `family`'s table.
    public func set(_ family: ProxyIPFamily) -> NFSet {
        let table = KubeProxyNames.table
        let nf = family.tableFamily
        switch self {
        case .clusterIPs:
            return NFSet(family: nf, table: table, name: rawValue, keyType: [family.addressType])
        case .serviceIPs, .noEndpointServices, .firewallIPs:
            return NFSet(family: nf, table: table, name: rawValue, keyType: [family.addressType, .inetProto, .inetService],
                         dataType: .verdict)
        case .serviceNodePorts, .noEndpointNodePorts:
            return NFSet(family: nf, table: table, name: rawValue, keyType: [.inetProto, .inetService], dataType: .verdict)
        }
    }

    func reference(_ family: ProxyIPFamily) -> NFSetReference {
        NFSetReference(family: family.tableFamily, table: KubeProxyNames.table, name: rawValue)
    }
}

/// One element a service port contributes to a set or map.
public struct ProxyMapElement: Sendable, Hashable {
    public var map: ProxyMap
    public var key: [UInt8]
    /// The verdict of a map element; nil for a set.
    public var verdict: NFVerdict?

    public init(map: ProxyMap, key: [UInt8], verdict: NFVerdict? = nil) {
        self.map = map
        self.key = key
        self.verdict = verdict
    }

    var slot: Slot { Slot(map: map, key: key) }

    var element: NFElement { NFElement(key: key, value: verdict.map { .verdict($0) }) }

    /// Where an element lives: its map and key.
    struct Slot: Hashable, Sendable {
        var map: ProxyMap
        var key: [UInt8]
    }
}
