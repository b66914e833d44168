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
    /// `name` is given as its UTF-8 bytes; the result is written into one buffer.
    static func hashAndTruncate(_ name: [UInt8]) -> String {
        var full: [UInt8] = []
        full.reserveCapacity(9 + name.count)
        Base32.append(prefixOf: SHA256.words(name), count: 8, to: &full)
        full.append(UInt8(ascii: "-"))
        full.append(contentsOf: name)
        guard full.count > chainNameBaseLengthMax else { return String(decoding: full, as: UTF8.self) }
        let text = String(decoding: full, as: UTF8.self)
        return String(text.utf8.prefix(chainNameBaseLengthMax - 3))! + "..."
    }

    /// `namespace/name/protocol/portName` as bytes.
    private static func servicePortText(_ port: ServicePortName, extra: Int = 0) -> [UInt8] {
        // `nftName`, without lower-casing a string for every chain.
        let proto = switch port.protocol {
        case .tcp: "tcp"
        case .udp: "udp"
        case .sctp: "sctp"
        }
        var text: [UInt8] = []
        text.reserveCapacity(port.service.namespace.utf8.count + port.service.name.utf8.count + proto.utf8.count
                             + port.port.utf8.count + 3 + extra)
        text.append(contentsOf: port.service.namespace.utf8)
        text.append(UInt8(ascii: "/"))
        text.append(contentsOf: port.service.name.utf8)
        text.append(UInt8(ascii: "/"))
        text.append(contentsOf: proto.utf8)
        text.append(UInt8(ascii: "/"))
        text.append(contentsOf: port.port.utf8)
        return text
    }

    /// `HASH-namespace/name/protocol/portName`.
    static func servicePortBase(_ port: ServicePortName) -> String {
        hashAndTruncate(servicePortText(port))
    }

    /// `HASH-namespace/name/protocol/portName__ip/port`, with an IPv6 address's colons as dots.
    static func endpointBase(_ port: ServicePortName, _ endpoint: EndpointInfo) -> String {
        let endpointPort = String(endpoint.port)
        var text = servicePortText(port, extra: 3 + endpoint.address.utf8.count + endpointPort.utf8.count)
        text.append(UInt8(ascii: "_"))
        text.append(UInt8(ascii: "_"))
        for byte in endpoint.address.utf8 { text.append(byte == UInt8(ascii: ":") ? UInt8(ascii: ".") : byte) }
        text.append(UInt8(ascii: "/"))
        text.append(contentsOf: endpointPort.utf8)
        return hashAndTruncate(text)
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
