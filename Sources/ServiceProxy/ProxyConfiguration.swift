/// The settings of one proxier, from KubeProxyConfiguration (`kubeproxy.config.k8s.io/v1alpha1`).
public struct ProxyConfiguration: Sendable, Hashable {
    public var family: ProxyIPFamily
    /// `masqueradeBit` (default 14): the packet mark bit that asks for masquerade (0x4000).
    public var masqueradeBit: Int
    /// `masqueradeAll`: masquerade all traffic to ClusterIPs.
    public var masqueradeAll: Bool
    /// `clusterCIDR` of this family (detectLocalMode ClusterCIDR): traffic from outside it to a
    /// ClusterIP is masqueraded, and traffic from inside it bypasses `externalTrafficPolicy`.
    /// Only the first range is used, as upstream's single-CIDR local detector does.
    public var clusterCIDR: CIDR?
    /// The addresses NodePorts answer on, resolved from `nodePortAddresses`; nil answers on
    /// every local address (`fib daddr type local`).
    public var nodePortAddresses: [String]?
    /// This node's address of the family (for `loadBalancerSourceRanges` that include the node).
    public var nodeIP: String?
    /// The ServiceCIDRs of this family: traffic to an unallocated ClusterIP in them is dropped.
    public var serviceCIDRs: [CIDR]
    /// The node's name, to tell local endpoints from remote ones.
    public var hostname: String
    /// How a service chain picks an endpoint: `sequentialRules` by default, which keeps the
    /// layout's chains, maps and marks and avoids the kernel's per-set costs (see the benchmark).
    public var endpointDispatch: EndpointDispatch = .sequentialRules

    public init(family: ProxyIPFamily, masqueradeBit: Int = 14, masqueradeAll: Bool = false, clusterCIDR: CIDR? = nil,
                nodePortAddresses: [String]? = nil, nodeIP: String? = nil, serviceCIDRs: [CIDR] = [], hostname: String = "") {
        self.family = family
        self.masqueradeBit = masqueradeBit
        self.masqueradeAll = masqueradeAll
        self.clusterCIDR = clusterCIDR
        self.nodePortAddresses = nodePortAddresses
        self.nodeIP = nodeIP
        self.serviceCIDRs = serviceCIDRs
        self.hostname = hostname
    }

    /// How a service chain picks one of N endpoints at random.
    public enum EndpointDispatch: Sendable, Hashable {
        /// Upstream's `numgen random mod N vmap { 0 : goto ..., ... }`: one rule and an anonymous
        /// verdict map per service chain. The kernel looks anonymous sets up by walking lists, so
        /// a full sync of many services costs time quadratic in their number.
        case verdictMap
        /// `numgen random mod (N-i) == 0 goto endpoint-i` for i in 0..<N-1, then `goto` the last:
        /// the same uniform choice (as iptables mode makes it) with no set per service.
        case sequentialRules
    }

    /// The mark value of `masqueradeBit`.
    public var masqueradeMark: UInt32 { 1 << UInt32(masqueradeBit) }
}
