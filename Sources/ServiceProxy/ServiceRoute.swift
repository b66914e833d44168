/// One service port as a person reads it: where it is reached, which endpoints serve it and
/// under which policies (the rows of `swiftlet proxy rules`).
public struct ServiceRoute: Sendable, Hashable {
    public var service: ServicePortInfo
    public var endpoints: [EndpointInfo]
    public var categories: EndpointCategories

    public init(service: ServicePortInfo, endpoints: [EndpointInfo]) {
        self.service = service
        self.endpoints = endpoints
        categories = EndpointCategories(service: service, endpoints: endpoints)
    }

    /// Every `address:port` (or `:nodePort`) the service port answers on.
    public var frontends: [String] {
        func hostPort(_ address: String, _ port: UInt16) -> String {
            address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        var result = [hostPort(service.clusterIP, service.port)]
        result += service.externalIPs.map { hostPort($0, service.port) + " (external)" }
        result += service.loadBalancerIPs.map { hostPort($0, service.port) + " (load balancer)" }
        if let nodePort = service.nodePort { result.append("*:\(nodePort) (node port)") }
        return result
    }

    /// The policies in short: `cluster`, `etp=Local`, `itp=Local`, `affinity=ClientIP/10800s`,
    /// `source-ranges=...`.
    public var policy: String {
        var parts: [String] = []
        if service.usesExternalPolicyLocal { parts.append("etp=Local") }
        if service.internalPolicyLocal { parts.append("itp=Local") }
        if case .clientIP(let timeout) = service.sessionAffinity { parts.append("affinity=ClientIP/\(timeout)s") }
        if !service.loadBalancerSourceRanges.isEmpty {
            parts.append("source-ranges=" + service.loadBalancerSourceRanges.map(\.description).joined(separator: ","))
        }
        return parts.isEmpty ? "Cluster" : parts.joined(separator: " ")
    }

    /// The endpoints with their state (`10.1.0.5:80`, `10.1.0.6:80 (terminating)`,
    /// `10.1.0.7:80 (not ready)`), or `none: rejected` when the service has no usable endpoint.
    public var endpointSummary: [String] {
        guard categories.hasAnyEndpoints else { return endpoints.isEmpty ? ["none: rejected"] : ["none ready: rejected"] }
        let used = Set(categories.allReachable)
        return endpoints.map { endpoint in
            var notes: [String] = []
            if endpoint.isLocal { notes.append("local") }
            if endpoint.isTerminating { notes.append("terminating") }
            if !endpoint.isReady && !endpoint.isTerminating { notes.append("not ready") }
            if !used.contains(endpoint) { notes.append("unused") }
            return notes.isEmpty ? endpoint.description : "\(endpoint) (\(notes.joined(separator: ", ")))"
        }
    }
}

/// Renders routes as the plain table `swiftlet proxy rules` prints.
public enum ServiceRouteTable {
    public static func render(_ routes: [ServiceRoute]) -> String {
        var rows: [[String]] = [["SERVICE", "PROTO", "FRONTEND", "ENDPOINTS", "POLICY"]]
        for route in routes {
            let frontends = route.frontends
            let endpoints = route.endpointSummary
            for line in 0..<max(frontends.count, endpoints.count) {
                rows.append([line == 0 ? route.service.name.description : "",
                             line == 0 ? route.service.name.protocol.rawValue : "",
                             line < frontends.count ? frontends[line] : "",
                             line < endpoints.count ? endpoints[line] : "",
                             line == 0 ? route.policy : ""])
            }
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 4 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
