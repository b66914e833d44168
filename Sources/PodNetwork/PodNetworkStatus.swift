import Netlink

/// The node network at a glance, for `swiftlet network status`.
public struct PodNetworkStatus: Sendable, Hashable, Codable {
    /// One address in use and who holds it.
    public struct Lease: Sendable, Hashable, Codable {
        /// The address.
        public var address: IPAddress
        /// The sandbox holding it.
        public var sandboxID: String
        /// The interface inside the pod.
        public var interfaceName: String
        /// `namespace/name` of the pod, when known.
        public var podReference: String
    }

    /// `bridge` for the built-in plugin, `cni` for external plugins.
    public var plugin: String
    /// The network name (the bridge name, or the conflist's `name`).
    public var networkName: String
    /// The bridge the pods hang off, when there is one and it exists.
    public var bridge: String?
    /// The pod address ranges.
    public var podCIDRs: [IPNetwork]
    /// The gateway addresses on the bridge.
    public var gateways: [IPAddress]
    /// Every address in use, ordered by address.
    public var leases: [Lease]
}
