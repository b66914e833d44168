/// The answers of a Service's health-check node port (`spec.healthCheckNodePort`, for
/// `externalTrafficPolicy: Local` load balancers), as upstream's service health server gives
/// them: 200 when this node has a ready local endpoint and the proxy is healthy, else 503, with
/// the count in the body and in `X-Load-Balancing-Endpoint-Weight`. NodeAgent listens on the
/// ports (`NFTablesProxier.healthCheckServices()`) and sends these.
public enum ServiceHealthCheck {
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    public static func response(service: ServiceName, localEndpoints: Int, proxyHealthy: Bool) -> Response {
        let body = "{\n\t\"service\": {\n\t\t\"namespace\": \"\(service.namespace)\",\n\t\t\"name\": \"\(service.name)\"\n\t},\n"
            + "\t\"localEndpoints\": \(localEndpoints),\n\t\"serviceProxyHealthy\": \(proxyHealthy)\n}"
        return Response(status: localEndpoints > 0 && proxyHealthy ? 200 : 503,
                        headers: ["Content-Type": "application/json", "X-Content-Type-Options": "nosniff",
                                  "X-Load-Balancing-Endpoint-Weight": String(localEndpoints)],
                        body: body)
    }
}

extension NFTablesProxier {
    /// The health-check node ports of this family's `externalTrafficPolicy: Local` services,
    /// with each service's number of ready endpoints on this node.
    public func healthCheckServices() -> [UInt16: (service: ServiceName, localEndpoints: Int)] {
        var result: [UInt16: (service: ServiceName, localEndpoints: Int)] = [:]
        var local: [ServiceName: Set<String>] = [:]
        for route in routes() {
            let ready = route.endpoints.filter { $0.isLocal && $0.isReady }.map(\.address)
            local[route.service.name.service, default: []].formUnion(ready)
        }
        for route in routes() {
            guard let port = route.service.healthCheckNodePort, route.service.usesExternalPolicyLocal else { continue }
            let service = route.service.name.service
            result[port] = (service, local[service]?.count ?? 0)
        }
        return result
    }
}
