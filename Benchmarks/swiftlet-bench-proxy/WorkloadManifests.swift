import ServiceProxy

/// A `SyntheticWorkload` as the manifests `swiftlet proxy run --manifests DIR` reads: one JSON
/// `v1` `List` of Services and one of EndpointSlices, in the shapes the API serves them.
enum WorkloadManifests {
    static func services(_ workload: SyntheticWorkload) -> String {
        list(workload.services.map { service in
            let ports = service.ports.map { port in
                var fields = [#""name":"\#(port.name.port)""#, #""protocol":"\#(port.name.protocol.rawValue)""#, #""port":\#(port.port)"#]
                if let nodePort = port.nodePort { fields.append(#""nodePort":\#(nodePort)"#) }
                return "{" + fields.joined(separator: ",") + "}"
            }
            let clusterIP = service.ports.first?.clusterIP ?? "None"
            let type = service.ports.contains { $0.nodePort != nil } ? "NodePort" : "ClusterIP"
            return #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"\#(service.name.name)","namespace":"\#(service.name.namespace)"},"#
                + #""spec":{"type":"\#(type)","clusterIP":"\#(clusterIP)","clusterIPs":["\#(clusterIP)"],"ports":[\#(ports.joined(separator: ","))]}}"#
        })
    }

    static func endpointSlices(_ workload: SyntheticWorkload) -> String {
        list(workload.slices.map { slice in
            let ports = slice.ports.map { #"{"name":"\#($0.name)","protocol":"\#($0.protocol.rawValue)","port":\#($0.port)}"# }
            let endpoints = slice.endpoints.map { endpoint in
                var fields = [#""addresses":[\#(endpoint.addresses.map { "\"\($0)\"" }.joined(separator: ","))]"#,
                              #""conditions":{"ready":\#(endpoint.ready ?? true)}"#]
                if let node = endpoint.nodeName { fields.append(#""nodeName":"\#(node)""#) }
                return "{" + fields.joined(separator: ",") + "}"
            }
            return #"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","#
                + #""metadata":{"name":"\#(slice.name)","namespace":"\#(slice.service.namespace)","#
                + #""labels":{"kubernetes.io/service-name":"\#(slice.service.name)"}},"#
                + #""addressType":"IPv4","ports":[\#(ports.joined(separator: ","))],"endpoints":[\#(endpoints.joined(separator: ","))]}"#
        })
    }

    private static func list(_ items: [String]) -> String {
        #"{"apiVersion":"v1","kind":"List","items":["# + "\n" + items.joined(separator: ",\n") + "\n]}\n"
    }
}
