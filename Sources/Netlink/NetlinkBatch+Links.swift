import CSwiftletNet
import Glibc

extension NetlinkBatch {
    /// What to change on an existing link; `nil` fields stay as they are.
    public struct LinkChange: Sendable {
        /// Bring the link up (`true`) or down (`false`).
        public var up: Bool?
        /// The new MTU.
        public var mtu: UInt32?
        /// The new hardware address.
        public var mac: MACAddress?
        /// The bridge to enslave the link to (0 releases it).
        public var masterIndex: Int32?

        /// A change of the given fields.
        public init(up: Bool? = nil, mtu: UInt32? = nil, mac: MACAddress? = nil, masterIndex: Int32? = nil) {
            self.up = up
            self.mtu = mtu
            self.mac = mac
            self.masterIndex = masterIndex
        }
    }

    /// Adds a request creating a bridge named `name` (fails with `EEXIST` if the name is taken).
    public func createBridge(name: String, mtu: UInt32? = nil, mac: MACAddress? = nil, up: Bool = true) throws(NetlinkError) {
        try Self.checkName(name)
        try append(type: Int32(RTM_NEWLINK), flags: NLM_F_CREATE | NLM_F_EXCL, operation: "create bridge \(name)") { message throws(NetlinkError) in
            try message.put(header: Self.linkHeader(index: 0, up: up))
            try message.put(Int32(IFLA_IFNAME), string: name)
            if let mtu { try message.put(Int32(IFLA_MTU), u32: mtu) }
            if let mac { try message.put(Int32(IFLA_ADDRESS), bytes: mac.bytes) }
            try message.nest(Int32(IFLA_LINKINFO)) { info throws(NetlinkError) in
                try info.put(Int32(IFLA_INFO_KIND), string: "bridge")
            }
        }
    }

    /// Adds a request creating a veth pair in one step: `name` in the socket's namespace
    /// (optionally enslaved to `masterIndex`, up when `up` is set), `peerName` created directly in
    /// `peerNamespace`. Both ends get `mtu`. The peer is left down: the kernel cannot open a veth
    /// end before its pair is linked (`ENOTCONN`), so bring it up from its own namespace.
    /// With `echo`, the kernel sends the new link back (`NLM_F_ECHO`, see
    /// `NetlinkSocket.performEchoing`), whose `peerIndex` is the peer's index in its namespace.
    /// `queues` sets both ends' transmit and receive queue counts (the kernel's default: one
    /// per CPU).
    public func createVethPair(
        name: String, peerName: String, peerNamespace: NetworkNamespace?,
        mtu: UInt32? = nil, mac: MACAddress? = nil, peerMAC: MACAddress? = nil,
        masterIndex: Int32? = nil, up: Bool = true, queues: UInt32? = nil, echo: Bool = false
    ) throws(NetlinkError) {
        try Self.checkName(name)
        try Self.checkName(peerName)
        let flags = NLM_F_CREATE | NLM_F_EXCL | (echo ? NLM_F_ECHO : 0)
        let peerPath = peerNamespace?.path
        try append(type: Int32(RTM_NEWLINK), flags: flags,
                   operation: "create veth \(name) with peer \(peerName)" + (peerPath.map { " in \($0)" } ?? "")) { message throws(NetlinkError) in
            try message.put(header: Self.linkHeader(index: 0, up: up))
            try message.put(Int32(IFLA_IFNAME), string: name)
            if let mtu { try message.put(Int32(IFLA_MTU), u32: mtu) }
            if let mac { try message.put(Int32(IFLA_ADDRESS), bytes: mac.bytes) }
            if let masterIndex { try message.put(Int32(IFLA_MASTER), u32: UInt32(bitPattern: masterIndex)) }
            if let queues { try Self.putQueues(queues, into: &message) }
            try message.nest(Int32(IFLA_LINKINFO)) { info throws(NetlinkError) in
                try info.put(Int32(IFLA_INFO_KIND), string: "veth")
                try info.nest(Int32(IFLA_INFO_DATA)) { data throws(NetlinkError) in
                    try data.nest(Int32(VETH_INFO_PEER)) { peer throws(NetlinkError) in
                        try peer.put(header: Self.linkHeader(index: 0, up: nil))
                        try peer.put(Int32(IFLA_IFNAME), string: peerName)
                        if let mtu { try peer.put(Int32(IFLA_MTU), u32: mtu) }
                        if let peerMAC { try peer.put(Int32(IFLA_ADDRESS), bytes: peerMAC.bytes) }
                        if let queues { try Self.putQueues(queues, into: &peer) }
                        if let peerNamespace {
                            try peer.put(Int32(IFLA_NET_NS_FD), u32: UInt32(bitPattern: peerNamespace.descriptor))
                        }
                    }
                }
            }
        }
    }

    /// Adds a request changing the link named `name` (by name, so no index lookup is needed).
    public func setLink(name: String, _ change: LinkChange) throws(NetlinkError) {
        try Self.checkName(name)
        try append(type: Int32(RTM_SETLINK), flags: 0, operation: "set link \(name)") { message throws(NetlinkError) in
            try Self.writeChange(change, index: 0, into: &message)
            try message.put(Int32(IFLA_IFNAME), string: name)
        }
    }

    /// Adds a request changing the link with index `index`.
    public func setLink(index: Int32, _ change: LinkChange) throws(NetlinkError) {
        try append(type: Int32(RTM_SETLINK), flags: 0, operation: "set link #\(index)") { message throws(NetlinkError) in
            try Self.writeChange(change, index: index, into: &message)
        }
    }

    /// Adds a request turning hairpin mode on or off for the bridge port `name` (the port must
    /// already be enslaved, for example by an earlier request of the same batch). With `up`, the
    /// same request also brings the port up or down (the kernel applies the port setting first).
    public func setHairpin(name: String, enabled: Bool, up: Bool? = nil) throws(NetlinkError) {
        try Self.checkName(name)
        try append(type: Int32(RTM_NEWLINK), flags: 0, operation: "set hairpin on \(name)") { message throws(NetlinkError) in
            try message.put(header: Self.linkHeader(index: 0, up: up))
            try message.put(Int32(IFLA_IFNAME), string: name)
            try message.nest(Int32(IFLA_LINKINFO)) { info throws(NetlinkError) in
                try info.put(Int32(IFLA_INFO_SLAVE_KIND), string: "bridge")
                try info.nest(Int32(IFLA_INFO_SLAVE_DATA)) { data throws(NetlinkError) in
                    try data.put(Int32(IFLA_BRPORT_MODE), u8: enabled ? 1 : 0)
                }
            }
        }
    }

    /// Adds a request turning off IPv6 address generation (`addrgenmode none`) on the link named
    /// `name`: no link-local address, hence no duplicate address detection, router solicitation
    /// or multicast listener work when it comes up. For bridge ports, which need no address.
    /// Send it while the link is still down.
    public func disableIPv6AddressGeneration(name: String) throws(NetlinkError) {
        try Self.checkName(name)
        try append(type: Int32(RTM_SETLINK), flags: 0, operation: "set addrgenmode none on \(name)") { message throws(NetlinkError) in
            try message.put(header: Self.linkHeader(index: 0, up: nil))
            try message.put(Int32(IFLA_IFNAME), string: name)
            try message.nest(Int32(IFLA_AF_SPEC)) { spec throws(NetlinkError) in
                try spec.nest(Int32(AF_INET6)) { inet6 throws(NetlinkError) in
                    try inet6.put(Int32(IFLA_INET6_ADDR_GEN_MODE), u8: UInt8(IN6_ADDR_GEN_MODE_NONE.rawValue))
                }
            }
        }
    }

    /// Adds a request deleting the link named `name` (for a veth, both ends go).
    public func deleteLink(name: String) throws(NetlinkError) {
        try Self.checkName(name)
        try append(type: Int32(RTM_DELLINK), flags: 0, operation: "delete link \(name)") { message throws(NetlinkError) in
            try message.put(header: Self.linkHeader(index: 0, up: nil))
            try message.put(Int32(IFLA_IFNAME), string: name)
        }
    }

    /// Adds a get request for the link named `name` (for `NetlinkSocket.query`).
    public func getLink(name: String) throws(NetlinkError) {
        try Self.checkName(name)
        try append(type: Int32(RTM_GETLINK), flags: 0, operation: "get link \(name)") { message throws(NetlinkError) in
            try message.put(header: Self.linkHeader(index: 0, up: nil))
            try message.put(Int32(IFLA_IFNAME), string: name)
        }
    }

    /// Adds a dump request for every link.
    public func dumpLinks() throws(NetlinkError) {
        try append(type: Int32(RTM_GETLINK), flags: NLM_F_DUMP, operation: "list links") { message throws(NetlinkError) in
            try message.put(header: Self.linkHeader(index: 0, up: nil))
        }
    }

    static func putQueues(_ count: UInt32, into message: inout NetlinkMessageWriter) throws(NetlinkError) {
        try message.put(Int32(IFLA_NUM_TX_QUEUES), u32: count)
        try message.put(Int32(IFLA_NUM_RX_QUEUES), u32: count)
    }

    static func linkHeader(index: Int32, up: Bool?) -> ifinfomsg {
        var header = ifinfomsg()
        header.ifi_family = UInt8(AF_UNSPEC)
        header.ifi_index = index
        if let up {
            header.ifi_change = UInt32(IFF_UP)
            header.ifi_flags = up ? UInt32(IFF_UP) : 0
        }
        return header
    }

    static func writeChange(_ change: LinkChange, index: Int32, into message: inout NetlinkMessageWriter) throws(NetlinkError) {
        try message.put(header: linkHeader(index: index, up: change.up))
        if let mtu = change.mtu { try message.put(Int32(IFLA_MTU), u32: mtu) }
        if let mac = change.mac { try message.put(Int32(IFLA_ADDRESS), bytes: mac.bytes) }
        if let master = change.masterIndex { try message.put(Int32(IFLA_MASTER), u32: UInt32(bitPattern: master)) }
    }

    /// Interface names are 1 to 15 bytes without `/`, whitespace or `:` (the kernel's `dev_valid_name`).
    static func checkName(_ name: String) throws(NetlinkError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count < Int(IFNAMSIZ), name != ".", name != "..",
              !bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 32 })
        else {
            throw .invalidArgument("interface name \"\(name)\": expected 1 to 15 characters without '/', ':' or spaces")
        }
    }
}
