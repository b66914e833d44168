import Netlink

/// The firewall half of pod networking, kept behind a seam so the built-in plugin does not
/// build nftables rules itself. The production implementation lives over the NFTables module
/// (shared with the service proxy); every method must be idempotent.
public protocol PodNetworkFirewall: Sendable {
    /// Makes traffic from `podCIDRs` to destinations outside them (multicast aside) leaving
    /// through anything but `bridge` leave with the node's address (egress masquerade).
    func ensureMasquerade(podCIDRs: [IPNetwork], bridge: String) async throws

    /// Publishes `mappings` of sandbox `sandboxID` on the node, pointing at `podIPs`.
    func addHostPorts(_ mappings: [HostPortMapping], sandboxID: String, podIPs: [IPAddress]) async throws

    /// Removes every mapping of sandbox `sandboxID`; succeeds when there is none.
    func removeHostPorts(sandboxID: String) async throws

    /// The sandboxes that currently have mappings (for reconciliation at start).
    func sandboxesWithHostPorts() async throws -> Set<String>
}
