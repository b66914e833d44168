import Netlink
import NFTables

/// The sets and maps of the pod network's nftables table, one of each per IP family: hostPort
/// maps (`l4proto . dport`, or `daddr . l4proto . dport` for a mapping bound to one node
/// address, to `pod address . container port`) and the hairpin set (`pod address . pod address`).
enum HostPortSet: CaseIterable, Hashable {
    case hostPortsIPv4
    case hostPortsIPv6
    case hostIPPortsIPv4
    case hostIPPortsIPv6
    case hairpinIPv4
    case hairpinIPv6

    /// The set's name in the table.
    var name: String {
        switch self {
        case .hostPortsIPv4: "hostports-ip4"
        case .hostPortsIPv6: "hostports-ip6"
        case .hostIPPortsIPv4: "hostip-hostports-ip4"
        case .hostIPPortsIPv6: "hostip-hostports-ip6"
        case .hairpinIPv4: "hairpin-ip4"
        case .hairpinIPv6: "hairpin-ip6"
        }
    }

    var isIPv4: Bool {
        switch self {
        case .hostPortsIPv4, .hostIPPortsIPv4, .hairpinIPv4: true
        case .hostPortsIPv6, .hostIPPortsIPv6, .hairpinIPv6: false
        }
    }

    /// Whether the key starts with the node address the mapping is bound to.
    var isKeyedByHostIP: Bool { self == .hostIPPortsIPv4 || self == .hostIPPortsIPv6 }

    private var address: NFDataType { isIPv4 ? .ipv4Address : .ipv6Address }

    var keyType: [NFDataType] {
        switch self {
        case .hostPortsIPv4, .hostPortsIPv6: [.inetProto, .inetService]
        case .hostIPPortsIPv4, .hostIPPortsIPv6: [address, .inetProto, .inetService]
        case .hairpinIPv4, .hairpinIPv6: [address, address]
        }
    }

    /// `address . inet_service` for the maps (nft's number for a concatenation, its bytes laid
    /// out in 4-byte registers); nil for the hairpin sets.
    var dataType: NFDataType? {
        switch self {
        case .hairpinIPv4, .hairpinIPv6:
            return nil
        default:
            let typeID = (address.typeID << 6) | NFDataType.inetService.typeID
            return NFDataType(typeID: typeID, length: (address.length + 3) / 4 * 4 + 4,
                              name: "\(address.name) . inet_service")
        }
    }

    /// The map for a mapping to a pod address of one family, bound to a node address or not.
    static func map(forIPv4 isIPv4: Bool, boundToHostIP: Bool) -> HostPortSet {
        switch (isIPv4, boundToHostIP) {
        case (true, false): .hostPortsIPv4
        case (false, false): .hostPortsIPv6
        case (true, true): .hostIPPortsIPv4
        case (false, true): .hostIPPortsIPv6
        }
    }

    /// An element as a person reads it in an error: `tcp/8080`, `10.0.0.1 tcp/8080`.
    func describe(_ element: NFElement) -> String {
        let key = element.key
        if !isKeyedByHostIP, dataType == nil {
            let length = isIPv4 ? 4 : 16
            return "hairpin of " + (key.count >= length ? IPAddress(bytes: key[0..<length]).map { "\($0)" } ?? "\(key)" : "\(key)")
        }
        var offset = 0
        var text = ""
        if isKeyedByHostIP {
            let length = isIPv4 ? 4 : 16
            if key.count >= length, let address = IPAddress(bytes: key[0..<length]) { text = "\(address) " }
            offset = length
        }
        guard key.count >= offset + 6 else { return text + "key \(key)" }
        let name = switch key[offset] {
        case NFValue.tcp: "tcp"
        case NFValue.udp: "udp"
        case NFValue.sctp: "sctp"
        default: "protocol \(key[offset])"
        }
        return text + "\(name)/\(UInt16(key[offset + 4]) << 8 | UInt16(key[offset + 5]))"
    }
}
