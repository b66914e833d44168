// PodNetwork: gives a pod sandbox its network. Two plugins share one contract
// (`PodNetworkPlugin`): the built-in `BridgeNetwork` (a bridge, veth pairs, host-local IPAM on
// disk, all through Netlink with no subprocesses) and `CNINetwork`, which runs external CNI
// plugins from a conflist as the CNI 1.0/1.1 spec says. Firewall work (pod egress masquerade,
// hostPort mappings) goes through the `PodNetworkFirewall` seam, implemented over NFTables.
//
// It must not know about Kubernetes objects or the runtime: callers hand in sandbox ids,
// namespace paths and port mappings as plain values.

/// A way to attach pod sandboxes to the node's network. ADD, DEL and CHECK are idempotent:
/// ADD twice gives the same result, DEL of a half-set-up or unknown sandbox removes whatever
/// exists and succeeds.
public protocol PodNetworkPlugin: Sendable {
    /// Prepares the node side (bridge, forwarding, masquerade) and releases what belongs to
    /// sandboxes no longer alive, so nothing leaks across an agent crash.
    /// - Parameter liveSandboxes: ids of the sandboxes the runtime still knows about.
    /// - Throws: `PodNetworkError.garbageCollectionFailed` when only the release failed: the
    ///   plugin is then started and usable, and the caller logs it and goes on (as containerd
    ///   does with a failed CNI GC). Anything else leaves the plugin unstarted.
    func start(liveSandboxes: Set<String>) async throws

    /// Attaches the sandbox and returns its interface, addresses and routes.
    func add(_ request: PodNetworkRequest) async throws -> PodNetworkResult

    /// Detaches the sandbox and releases its addresses and port mappings.
    func delete(_ request: PodNetworkRequest) async throws

    /// Verifies the sandbox is attached as ADD left it; throws what is wrong.
    func check(_ request: PodNetworkRequest) async throws

    /// Returns when the network can take new sandboxes; throws why not otherwise. The runtime's
    /// status reports CRI `NetworkReady` from it (false with the error's description). The default
    /// returns at once; `CNINetwork` asks the plugins with CNI 1.1's STATUS.
    func ready() async throws

    /// What the node network looks like now: bridge, ranges and which pod holds each address.
    func status() async throws -> PodNetworkStatus
}
