import Netlink

/// Settings of the built-in bridge plugin.
public struct BridgeNetworkConfiguration: Sendable, Hashable {
    /// The bridge the pods hang off (at most 15 characters).
    public var bridgeName: String
    /// The node's pod CIDRs: one IPv4, one IPv6, or one of each (dual-stack).
    public var podCIDRs: [IPNetwork]
    /// The MTU of the bridge and both veth ends.
    public var mtu: UInt32
    /// Lets a pod reach itself through a service address (hairpin on bridge ports).
    public var hairpin: Bool
    /// Transmit and receive queues of each veth end. The kernel's default is one per CPU, and
    /// each queue is a set of sysfs objects made with every pod and removed with it; the bridged
    /// pod path does no per-queue work unless an XDP program runs on the veth, so one is enough
    /// unless you attach XDP there.
    public var vethQueues: UInt32
    /// Where leases are kept (one directory per bridge below it). Leases need to outlive an
    /// agent crash, not a reboot (the pods' network namespaces do not survive one either), so a
    /// tmpfs such as /run serves: each ADD and DEL appends one record there, which on ext4 also
    /// costs an inode update through the journal.
    public var stateDirectory: String
    /// The namespace holding the bridge; `nil` for the agent's own. Tests point it at a
    /// namespace they created.
    public var nodeNamespacePath: String?
    /// Names this configuration in errors (the file it came from).
    public var source: String

    /// A configuration with swiftlet's defaults for everything but the CIDRs.
    public init(bridgeName: String = "swiftlet0", podCIDRs: [IPNetwork], mtu: UInt32 = 1500, hairpin: Bool = true,
                vethQueues: UInt32 = 1, stateDirectory: String = "/var/lib/swiftlet/network", nodeNamespacePath: String? = nil,
                source: String = "pod network configuration") {
        self.bridgeName = bridgeName
        self.podCIDRs = podCIDRs
        self.mtu = mtu
        self.hairpin = hairpin
        self.vethQueues = vethQueues
        self.stateDirectory = stateDirectory
        self.nodeNamespacePath = nodeNamespacePath
        self.source = source
    }

    /// Checks the settings: a valid bridge name, one or two CIDRs of different families that do
    /// not overlap, each with room for a gateway and pods, and a sane MTU.
    /// - Throws: `PodNetworkError.invalidConfiguration` naming the field.
    public func validate() throws(PodNetworkError) {
        let nameBytes = Array(bridgeName.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 15, !bridgeName.contains("/"), !bridgeName.contains(" ") else {
            throw .invalidConfiguration(source: source, field: "bridgeName", expected: "1 to 15 characters without '/' or spaces, got \"\(bridgeName)\"")
        }
        guard (1...2).contains(podCIDRs.count) else {
            throw .invalidConfiguration(source: source, field: "podCIDRs", expected: "one IPv4 and/or one IPv6 CIDR, got \(podCIDRs.count)")
        }
        for (index, cidr) in podCIDRs.enumerated() {
            let limit = cidr.address.isIPv4 ? 30 : 126
            guard cidr.prefixLength <= limit, cidr.prefixLength >= (cidr.address.isIPv4 ? 8 : 64 - 32) else {
                throw .invalidConfiguration(source: source, field: "podCIDRs[\(index)]",
                                            expected: "a prefix length between \(cidr.address.isIPv4 ? 8 : 32) and \(limit), got \(cidr)")
            }
        }
        if podCIDRs.count == 2 {
            if podCIDRs[0].overlaps(podCIDRs[1]) {
                throw .invalidConfiguration(source: source, field: "podCIDRs[1]", expected: "a range not overlapping \(podCIDRs[0]), got \(podCIDRs[1])")
            }
            if podCIDRs[0].address.isIPv4 == podCIDRs[1].address.isIPv4 {
                throw .invalidConfiguration(source: source, field: "podCIDRs[1]", expected: "a CIDR of the other address family (dual-stack), got \(podCIDRs[1])")
            }
        }
        guard (576...65535).contains(mtu) else {
            throw .invalidConfiguration(source: source, field: "mtu", expected: "576 to 65535, got \(mtu)")
        }
        guard (1...4096).contains(vethQueues) else {
            throw .invalidConfiguration(source: source, field: "vethQueues", expected: "1 to 4096, got \(vethQueues)")
        }
    }
}
