import CSwiftletNet

/// An address assigned to an interface, as rtnetlink reports it.
public struct InterfaceAddress: Hashable, Sendable {
    /// The interface index.
    public let interfaceIndex: Int32
    /// The address with its prefix length.
    public let address: IPNetwork
    /// `IFA_F_*` flags (`IFA_F_TENTATIVE`, `IFA_F_NODAD`, ...).
    public let flags: UInt32
    /// `RT_SCOPE_*` of the address.
    public let scope: UInt8

    init?(reply: NetlinkReply) {
        guard let header = reply.header(as: ifaddrmsg.self) else { return nil }
        let raw = reply.attributes[Int32(IFA_LOCAL)] ?? reply.attributes[Int32(IFA_ADDRESS)]
        guard let raw, let ip = IPAddress(bytes: raw), let network = IPNetwork(address: ip, prefixLength: Int(header.ifa_prefixlen)) else {
            return nil
        }
        interfaceIndex = Int32(bitPattern: header.ifa_index)
        address = network
        flags = reply.attributes.u32(Int32(IFA_FLAGS)) ?? UInt32(header.ifa_flags)
        scope = header.ifa_scope
    }
}
