import KubeAPI

extension ServiceName {
    /// The namespace and name of an object's metadata (`default` when the namespace is unset,
    /// as the API server fills it in); nil without a name.
    public init?(metadata: MetaV1.ObjectMeta?) {
        guard let name = metadata?.name, !name.isEmpty else { return nil }
        let namespace = metadata?.namespace ?? ""
        self.init(namespace: namespace.isEmpty ? "default" : FreshStorage.string(namespace), name: FreshStorage.string(name))
    }
}

extension ServicePortInfo {
    /// The ports of `service` that a proxier of `family` programs, read as upstream's service
    /// change tracker reads a `v1.Service`.
    ///
    /// Empty when the proxy ignores the service: `type: ExternalName`, no ClusterIP (`None` or
    /// unset), no ClusterIP of `family`, or a label that gives it to another proxy or marks it
    /// headless. Ports with an unknown protocol or a number outside 1–65535 are left out.
    /// External IPs, load-balancer ingress IPs (`ipMode: VIP` or unset) and
    /// `loadBalancerSourceRanges` (trimmed of whitespace) are filtered to `family`. What it keeps
    /// of the service is copied, not shared (see `FreshStorage`).
    public static func ports(of service: CoreV1.Service, family: ProxyIPFamily) -> [ServicePortInfo] {
        guard let name = ServiceName(metadata: service.metadata),
              !KubeObjectLabels.excludesFromProxy(service.metadata?.labels),
              let spec = service.spec else { return [] }
        let type = spec.type ?? "ClusterIP"
        guard type != "ExternalName", let clusterIP = clusterIP(of: spec, family: family).map(FreshStorage.string) else { return [] }

        let externalIPs = (spec.externalIPs ?? []).filter { family.addressBytes($0) != nil }.map(FreshStorage.string)
        let externallyAccessible = type == "LoadBalancer" || type == "NodePort"
            || (type == "ClusterIP" && !(spec.externalIPs ?? []).isEmpty)
        let externalPolicyLocal = externallyAccessible && spec.externalTrafficPolicy == "Local"
        let internalPolicyLocal = spec.internalTrafficPolicy == "Local"
        let sourceRanges = (spec.loadBalancerSourceRanges ?? []).compactMap { text -> CIDR? in
            let trimmed = text.trimmingWhitespace()
            guard let cidr = CIDR(trimmed), cidr.family == family else { return nil }
            return cidr
        }
        let loadBalancerIPs = (service.status?.loadBalancer?.ingress ?? []).compactMap { ingress -> String? in
            guard let ip = ingress.ip, !ip.isEmpty, ingress.ipMode == nil || ingress.ipMode == "VIP",
                  family.addressBytes(ip) != nil else { return nil }
            return FreshStorage.string(ip)
        }
        var affinity = SessionAffinity.none
        if spec.sessionAffinity == "ClientIP" {
            let timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds
            affinity = .clientIP(timeoutSeconds: timeout.flatMap { $0 > 0 ? UInt32($0) : nil } ?? SessionAffinity.defaultTimeoutSeconds)
        }
        var healthCheckNodePort: UInt16?
        if type == "LoadBalancer", externalPolicyLocal, let port = spec.healthCheckNodePort {
            healthCheckNodePort = UInt16(exactly: port).flatMap { $0 == 0 ? nil : $0 }
        }

        return (spec.ports ?? []).compactMap { port -> ServicePortInfo? in
            guard let transport = TransportProtocol(rawValue: port.protocol ?? "TCP"),
                  let number = UInt16(exactly: port.port), number != 0 else { return nil }
            return ServicePortInfo(
                name: ServicePortName(service: name, port: FreshStorage.string(port.name ?? ""), protocol: transport),
                clusterIP: clusterIP, port: number,
                nodePort: port.nodePort.flatMap { UInt16(exactly: $0) }.flatMap { $0 == 0 ? nil : $0 },
                externalIPs: externalIPs, loadBalancerIPs: loadBalancerIPs, loadBalancerSourceRanges: sourceRanges,
                sessionAffinity: affinity, externalPolicyLocal: externalPolicyLocal,
                internalPolicyLocal: internalPolicyLocal, healthCheckNodePort: healthCheckNodePort)
        }
    }

    /// `spec.clusterIPs`' address of `family` (or `spec.clusterIP`'s when `clusterIPs` is unset),
    /// as upstream's `GetClusterIPByFamily`; nil for `None`, unset or another family.
    static func clusterIP(of spec: CoreV1.ServiceSpec, family: ProxyIPFamily) -> String? {
        let candidates = (spec.clusterIPs?.isEmpty == false ? spec.clusterIPs : spec.clusterIP.map { [$0] }) ?? []
        return candidates.first { $0 != "None" && family.addressBytes($0) != nil }
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
