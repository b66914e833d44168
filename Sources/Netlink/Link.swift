import CSwiftletNet

/// A network interface as rtnetlink reports it.
public struct Link: Hashable, Sendable {
    /// The interface index (unique within its namespace).
    public let index: Int32
    /// The interface name.
    public let name: String
    /// `ifi_flags` (`IFF_UP`, `IFF_LOWER_UP`, ...).
    public let flags: UInt32
    /// The MTU, if reported.
    public let mtu: UInt32?
    /// The hardware address, if it has one.
    public let mac: MACAddress?
    /// The index of the bridge (or bond) it is enslaved to.
    public let masterIndex: Int32?
    /// The link kind (`bridge`, `veth`, ...), `nil` for physical devices and loopback.
    public let kind: String?
    /// The bridge port mode is hairpin (only reported for bridge ports).
    public let hairpin: Bool?
    /// `IFLA_LINK`: for a veth end, the index of its peer (in the peer's namespace).
    public let peerIndex: Int32?
    /// The number of transmit and receive queues, if reported.
    public let transmitQueues: UInt32?
    public let receiveQueues: UInt32?

    /// `IFF_UP` is set.
    public var isUp: Bool { flags & UInt32(IFF_UP) != 0 }

    /// The link an `RTM_NEWLINK` reply (dump, get or echo) describes; `nil` for another message.
    public init?(reply: NetlinkReply) {
        guard let header = reply.header(as: ifinfomsg.self), let name = reply.attributes.string(Int32(IFLA_IFNAME)) else {
            return nil
        }
        index = header.ifi_index
        self.name = name
        flags = header.ifi_flags
        mtu = reply.attributes.u32(Int32(IFLA_MTU))
        mac = reply.attributes[Int32(IFLA_ADDRESS)].flatMap { MACAddress(bytes: $0) }
        masterIndex = reply.attributes.u32(Int32(IFLA_MASTER)).map { Int32(bitPattern: $0) }
        peerIndex = reply.attributes.u32(Int32(IFLA_LINK)).map { Int32(bitPattern: $0) }
        transmitQueues = reply.attributes.u32(Int32(IFLA_NUM_TX_QUEUES))
        receiveQueues = reply.attributes.u32(Int32(IFLA_NUM_RX_QUEUES))
        let info = reply.attributes.nested(Int32(IFLA_LINKINFO))
        kind = info?.string(Int32(IFLA_INFO_KIND))
        let portData = info?.nested(Int32(IFLA_INFO_SLAVE_DATA))
        hairpin = portData?.u8(Int32(IFLA_BRPORT_MODE)).map { $0 != 0 }
    }
}
