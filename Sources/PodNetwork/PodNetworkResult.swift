import Netlink

/// What an attached sandbox got: the shape of a CNI 1.0 result, reduced to what callers use.
public struct PodNetworkResult: Sendable, Hashable, Codable {
    /// One interface the attachment created.
    public struct Interface: Sendable, Hashable, Codable {
        /// The interface name.
        public var name: String
        /// Its hardware address, if known.
        public var mac: MACAddress?
        /// The namespace path it lives in; empty for node-side interfaces.
        public var sandbox: String
    }

    /// One address given to the pod.
    public struct Address: Sendable, Hashable, Codable {
        /// The address with its prefix length.
        public var address: IPNetwork
        /// The gateway for it, if any.
        public var gateway: IPAddress?
        /// The index into `interfaces` of the interface holding it.
        public var interface: Int?
    }

    /// One route installed in the pod.
    public struct RouteEntry: Sendable, Hashable, Codable {
        /// The destination.
        public var destination: IPNetwork
        /// The next hop, if any.
        public var gateway: IPAddress?
    }

    /// The interfaces, node side and pod side.
    public var interfaces: [Interface]
    /// The pod's addresses.
    public var addresses: [Address]
    /// The pod's routes.
    public var routes: [RouteEntry]
    /// DNS servers the plugin returned, if any.
    public var nameservers: [String]

    /// A result with the given parts.
    public init(interfaces: [Interface], addresses: [Address], routes: [RouteEntry], nameservers: [String] = []) {
        self.interfaces = interfaces
        self.addresses = addresses
        self.routes = routes
        self.nameservers = nameservers
    }

    /// The pod's addresses without prefix lengths (IPv4 first).
    public var podIPs: [IPAddress] { addresses.map(\.address.address).sorted() }
}
