import CSwiftletNet

/// A unicast route: where packets for `destination` go.
public struct Route: Hashable, Sendable {
    /// The destination network (`0.0.0.0/0` or `::/0` for a default route).
    public var destination: IPNetwork
    /// The next hop, `nil` for a directly connected destination.
    public var gateway: IPAddress?
    /// The output interface index, `nil` to let the kernel find it from the gateway.
    public var interfaceIndex: Int32?
    /// The routing table (`RT_TABLE_MAIN` by default).
    public var table: UInt32
    /// The route's metric (`RTA_PRIORITY`).
    public var metric: UInt32?

    /// A route in the main table.
    public init(destination: IPNetwork, gateway: IPAddress? = nil, interfaceIndex: Int32? = nil,
                table: UInt32 = UInt32(RT_TABLE_MAIN.rawValue), metric: UInt32? = nil) {
        self.destination = destination
        self.gateway = gateway
        self.interfaceIndex = interfaceIndex
        self.table = table
        self.metric = metric
    }

    /// A default route of the gateway's family.
    public static func defaultRoute(via gateway: IPAddress, interfaceIndex: Int32? = nil) -> Route {
        let any: IPAddress = gateway.isIPv4 ? .v4(0) : .v6(high: 0, low: 0)
        return Route(destination: IPNetwork(address: any, prefixLength: 0)!, gateway: gateway, interfaceIndex: interfaceIndex)
    }

    /// `true` for a default route.
    public var isDefault: Bool { destination.prefixLength == 0 }

    init?(reply: NetlinkReply) {
        guard let header = reply.header(as: rtmsg.self), header.rtm_type == UInt8(RTN_UNICAST) else { return nil }
        let family = Int32(header.rtm_family)
        let zero: IPAddress = family == 2 ? .v4(0) : .v6(high: 0, low: 0)
        let destination = reply.attributes[Int32(RTA_DST.rawValue)].flatMap { IPAddress(bytes: $0) } ?? zero
        guard let network = IPNetwork(address: destination, prefixLength: Int(header.rtm_dst_len)) else { return nil }
        self.destination = network
        gateway = reply.attributes[Int32(RTA_GATEWAY.rawValue)].flatMap { IPAddress(bytes: $0) }
        interfaceIndex = reply.attributes.u32(Int32(RTA_OIF.rawValue)).map { Int32(bitPattern: $0) }
        table = reply.attributes.u32(Int32(RTA_TABLE.rawValue)) ?? UInt32(header.rtm_table)
        metric = reply.attributes.u32(Int32(RTA_PRIORITY.rawValue))
    }
}
