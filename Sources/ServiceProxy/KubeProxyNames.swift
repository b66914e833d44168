/// The names of upstream's nftables layout: the table, the fixed chains, sets and maps, and the
/// per-service and per-endpoint chain names built from a hash of what they serve.
public enum KubeProxyNames {
    public static let table = "kube-proxy"

    // Base chains, named `type-hook`.
    public static let filterPrerouting = "filter-prerouting"
    public static let filterInput = "filter-input"
    public static let filterForward = "filter-forward"
    public static let filterOutput = "filter-output"
    public static let filterOutputPostDNAT = "filter-output-post-dnat"
    public static let natPrerouting = "nat-prerouting"
    public static let natOutput = "nat-output"
    public static let natPostrouting = "nat-postrouting"

    // Regular chains and the maps and sets they consult.
    public static let services = "services"
    public static let serviceIPs = "service-ips"
    public static let serviceNodePorts = "service-nodeports"
    public static let nodePortIPs = "nodeport-ips"
    public static let clusterIPs = "cluster-ips"
    public static let serviceEndpointsCheck = "service-endpoints-check"
    public static let nodePortEndpointsCheck = "nodeport-endpoints-check"
    public static let noEndpointServices = "no-endpoint-services"
    public static let noEndpointNodePorts = "no-endpoint-nodeports"
    public static let rejectChain = "reject-chain"
    public static let clusterIPsCheck = "cluster-ips-check"
    public static let firewallIPs = "firewall-ips"
    public static let firewallCheck = "firewall-check"
    public static let markForMasquerade = "mark-for-masquerade"
    public static let masquerading = "masquerading"

    /// nftables' longest name (`NFT_NAME_MAXLEN`) less upstream's longest prefix.
    static let chainNameBaseLengthMax = 256 - 16

    /// `HASH-name`, HASH being the first 8 base32 characters of the SHA-256 of `name`; cut to
    /// fit with `...` (which no real Kubernetes name reaches).
    static func hashAndTruncate(_ name: String) -> String {
        let hash = Base32.prefix(of: SHA256.digest(Array(name.utf8)), count: 8)
        let full = "\(hash)-\(name)"
        guard full.utf8.count > chainNameBaseLengthMax else { return full }
        return String(full.utf8.prefix(chainNameBaseLengthMax - 3))! + "..."
    }

    /// `HASH-namespace/name/protocol/portName`.
    static func servicePortBase(_ port: ServicePortName) -> String {
        hashAndTruncate("\(port.service.namespace)/\(port.service.name)/\(port.protocol.nftName)/\(port.port)")
    }

    /// `HASH-namespace/name/protocol/portName__ip/port`, with an IPv6 address's colons as dots.
    static func endpointBase(_ port: ServicePortName, _ endpoint: EndpointInfo) -> String {
        let address = String(endpoint.address.map { $0 == ":" ? "." : $0 })
        return hashAndTruncate("\(port.service.namespace)/\(port.service.name)/\(port.protocol.nftName)/\(port.port)__\(address)/\(endpoint.port)")
    }

    /// The chain of the ServicePort's Cluster-policy endpoints.
    public static func clusterPolicyChain(_ port: ServicePortName) -> String { "service-" + servicePortBase(port) }
    /// The chain of the ServicePort's Local-policy endpoints.
    public static func localPolicyChain(_ port: ServicePortName) -> String { "local-" + servicePortBase(port) }
    /// The chain external traffic (NodePort, external and load-balancer IPs) goes to.
    public static func externalChain(_ port: ServicePortName) -> String { "external-" + servicePortBase(port) }
    /// The `loadBalancerSourceRanges` chain.
    public static func firewallChain(_ port: ServicePortName) -> String { "firewall-" + servicePortBase(port) }

    /// The four per-port chain names from one hash (the builder names them all for each port).
    struct ServicePortChains {
        let clusterPolicy: String
        let localPolicy: String
        let external: String
        let firewall: String

        init(_ port: ServicePortName) {
            let base = servicePortBase(port)
            clusterPolicy = "service-" + base
            localPolicy = "local-" + base
            external = "external-" + base
            firewall = "firewall-" + base
        }
    }
    /// The chain of one endpoint.
    public static func endpointChain(_ port: ServicePortName, _ endpoint: EndpointInfo) -> String {
        "endpoint-" + endpointBase(port, endpoint)
    }
    /// The session-affinity set of one endpoint.
    public static func affinitySet(_ port: ServicePortName, _ endpoint: EndpointInfo) -> String {
        "affinity-" + endpointBase(port, endpoint)
    }

    /// Service and endpoint chains, and only they, have a `/` in their names.
    public static func isServiceChain(_ name: String) -> Bool { name.contains("/") }
    public static func isAffinitySet(_ name: String) -> Bool { name.hasPrefix("affinity-") }
}
