/// What the proxier needs to know of one service port in one IP family: the addresses it is
/// reached on and the policies that decide which endpoints serve it.
public struct ServicePortInfo: Sendable, Hashable {
    public var name: ServicePortName
    /// The ClusterIP of this family.
    public var clusterIP: String
    public var port: UInt16
    /// The NodePort, or nil when the service has none.
    public var nodePort: UInt16?
    public var externalIPs: [String]
    /// `status.loadBalancer.ingress[].ip` of this family.
    public var loadBalancerIPs: [String]
    /// `spec.loadBalancerSourceRanges` of this family.
    public var loadBalancerSourceRanges: [CIDR]
    public var sessionAffinity: SessionAffinity
    /// `externalTrafficPolicy: Local`; only meaningful when the service is externally accessible.
    public var externalPolicyLocal: Bool
    /// `internalTrafficPolicy: Local`.
    public var internalPolicyLocal: Bool
    /// `spec.healthCheckNodePort`, for `externalTrafficPolicy: Local` load balancers.
    public var healthCheckNodePort: UInt16?

    public init(name: ServicePortName, clusterIP: String, port: UInt16, nodePort: UInt16? = nil,
                externalIPs: [String] = [], loadBalancerIPs: [String] = [], loadBalancerSourceRanges: [CIDR] = [],
                sessionAffinity: SessionAffinity = .none, externalPolicyLocal: Bool = false,
                internalPolicyLocal: Bool = false, healthCheckNodePort: UInt16? = nil) {
        self.name = name
        self.clusterIP = clusterIP
        self.port = port
        self.nodePort = nodePort
        self.externalIPs = externalIPs
        self.loadBalancerIPs = loadBalancerIPs
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
        self.sessionAffinity = sessionAffinity
        self.externalPolicyLocal = externalPolicyLocal
        self.internalPolicyLocal = internalPolicyLocal
        self.healthCheckNodePort = healthCheckNodePort
    }

    /// Reached from outside the cluster: a NodePort, an external IP or a load-balancer IP.
    public var isExternallyAccessible: Bool {
        nodePort != nil || !externalIPs.isEmpty || !loadBalancerIPs.isEmpty
    }

    /// External traffic is limited to endpoints on this node.
    public var usesExternalPolicyLocal: Bool { externalPolicyLocal && isExternallyAccessible }

    /// Some traffic uses all of the cluster's endpoints.
    public var usesClusterEndpoints: Bool {
        !internalPolicyLocal || (isExternallyAccessible && !externalPolicyLocal)
    }

    /// Some traffic uses only this node's endpoints.
    public var usesLocalEndpoints: Bool {
        internalPolicyLocal || usesExternalPolicyLocal
    }
}

/// `spec.sessionAffinity`: none, or ClientIP with `sessionAffinityConfig.clientIP.timeoutSeconds`.
public enum SessionAffinity: Sendable, Hashable {
    case none
    case clientIP(timeoutSeconds: UInt32)

    /// Upstream's default `timeoutSeconds` (three hours).
    public static let defaultTimeoutSeconds: UInt32 = 10_800
}
