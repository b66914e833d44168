import KubeAPI

/// The EndpointSlices of the Services in the manifest directory, computed on the node from the
/// local pods' labels, IPs and readiness as upstream's endpoint-slice controller would
/// (standalone use, with no API server): what the service proxy needs to route to the pods.
public enum LocalEndpointSlices {
    /// The label naming a slice's Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"
    /// The label naming the slice's manager.
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    /// Upstream's controller name, so consumers treat these slices as the controller's.
    public static let managedBy = "endpointslice-controller.k8s.io"
    /// Upstream's default `maxEndpointsPerSlice`.
    public static let maxEndpointsPerSlice = 100

    /// The slices of every Service with a selector, in a stable order with stable names.
    public static func compute(services: [CoreV1.Service], pods: [CoreV1.Pod]) -> [DiscoveryV1.EndpointSlice] {
        var slices: [DiscoveryV1.EndpointSlice] = []
        for service in services.sorted(by: { key($0.metadata) < key($1.metadata) }) {
            guard let selector = service.spec?.selector, !selector.isEmpty else { continue }
            let namespace = service.metadata?.namespace ?? "default"
            let selected = pods.filter { pod in
                pod.metadata?.namespace == namespace && selector.allSatisfy { pod.metadata?.labels?[$0.key] == $0.value } && isEndpoint(pod)
            }.sorted { key($0.metadata) < key($1.metadata) }
            // Pods that resolve the ports alike share slices; one group per port set and family.
            var groups: [GroupKey: [DiscoveryV1.Endpoint]] = [:]
            var order: [GroupKey] = []
            for pod in selected {
                let ports = endpointPorts(service, pod)
                for (family, addresses) in addressesByFamily(pod) {
                    let groupKey = GroupKey(family: family, ports: ports)
                    if groups[groupKey] == nil { order.append(groupKey) }
                    groups[groupKey, default: []].append(endpoint(pod, addresses: addresses, service: service))
                }
            }
            for groupKey in order {
                let endpoints = groups[groupKey] ?? []
                for (chunk, chunkStart) in stride(from: 0, to: endpoints.count, by: maxEndpointsPerSlice).enumerated() {
                    let members = Array(endpoints[chunkStart..<min(chunkStart + maxEndpointsPerSlice, endpoints.count)])
                    slices.append(slice(service, family: groupKey.family, ports: groupKey.ports, endpoints: members, chunk: chunk))
                }
            }
        }
        return slices
    }

    private struct GroupKey: Hashable {
        var family: String
        var ports: [DiscoveryV1.EndpointPort]
    }

    private static func key(_ metadata: MetaV1.ObjectMeta?) -> String { "\(metadata?.namespace ?? "")/\(metadata?.name ?? "")" }

    /// Upstream's `ShouldPodBeInEndpoints` with terminating pods included: a pod with an IP that
    /// has not finished.
    static func isEndpoint(_ pod: CoreV1.Pod) -> Bool {
        let phase = pod.status?.phase
        if phase == "Succeeded" || phase == "Failed" || phase == nil { return false }
        return !(pod.status?.podIP ?? "").isEmpty
    }

    private static func addressesByFamily(_ pod: CoreV1.Pod) -> [(String, [String])] {
        var ips = (pod.status?.podIPs ?? []).map(\.ip)
        if ips.isEmpty, let ip = pod.status?.podIP, !ip.isEmpty { ips = [ip] }
        let v4 = ips.filter { !$0.contains(":") }
        let v6 = ips.filter { $0.contains(":") }
        var result: [(String, [String])] = []
        if let first = v4.first { result.append(("IPv4", [first])) }
        if let first = v6.first { result.append(("IPv6", [first])) }
        return result
    }

    /// The Service's ports as this pod serves them; a named target port the pod lacks is left
    /// out, as upstream does.
    static func endpointPorts(_ service: CoreV1.Service, _ pod: CoreV1.Pod) -> [DiscoveryV1.EndpointPort] {
        var ports: [DiscoveryV1.EndpointPort] = []
        let containerPorts = (pod.spec?.containers ?? []).flatMap { $0.ports ?? [] }
        for servicePort in service.spec?.ports ?? [] {
            let proto = servicePort.protocol ?? "TCP"
            let number: Int32?
            switch servicePort.targetPort {
            case .none: number = servicePort.port
            case .int(let value)?: number = value
            case .string(let name)?:
                if let value = Int32(name) {
                    number = value
                } else {
                    number = containerPorts.first { $0.name == name && ($0.protocol ?? "TCP") == proto }?.containerPort
                }
            }
            guard let number else { continue }
            ports.append(DiscoveryV1.EndpointPort(appProtocol: servicePort.appProtocol, name: servicePort.name ?? "", port: number, protocol: proto))
        }
        return ports
    }

    private static func endpoint(_ pod: CoreV1.Pod, addresses: [String], service: CoreV1.Service) -> DiscoveryV1.Endpoint {
        let ready = pod.status?.conditions?.first { $0.type == "Ready" }?.status == "True"
        let terminating = pod.metadata?.deletionTimestamp != nil
        let publishNotReady = service.spec?.publishNotReadyAddresses == true
        var hostname: String? = nil
        if let name = pod.spec?.hostname, !name.isEmpty, pod.spec?.subdomain == service.metadata?.name { hostname = name }
        return DiscoveryV1.Endpoint(
            addresses: addresses,
            conditions: DiscoveryV1.EndpointConditions(
                ready: publishNotReady || (ready && !terminating), serving: publishNotReady || ready, terminating: terminating),
            hostname: hostname, nodeName: pod.spec?.nodeName,
            targetRef: CoreV1.ObjectReference(kind: "Pod", name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid))
    }

    private static func slice(
        _ service: CoreV1.Service, family: String, ports: [DiscoveryV1.EndpointPort], endpoints: [DiscoveryV1.Endpoint], chunk: Int
    ) -> DiscoveryV1.EndpointSlice {
        let name = service.metadata?.name ?? ""
        var labels = service.metadata?.labels ?? [:]
        labels[serviceNameLabel] = name
        labels[managedByLabel] = managedBy
        if service.spec?.clusterIP == "None" { labels["service.kubernetes.io/headless"] = "" }
        let owner = MetaV1.OwnerReference(
            apiVersion: "v1", blockOwnerDeletion: true, controller: true, kind: "Service", name: name, uid: service.metadata?.uid ?? "")
        // Upstream names slices `<service>-<random>`; ours stay the same while the port set does.
        var hasher = MD5()
        hasher.update("\(family)|\(ports.map { JSONWriter.string($0.encoded()) })|\(chunk)")
        let suffix = String(hasher.hexDigest().prefix(5))
        let metadata = MetaV1.ObjectMeta(
            labels: labels, name: "\(name)-\(suffix)", namespace: service.metadata?.namespace ?? "default", ownerReferences: [owner])
        return DiscoveryV1.EndpointSlice(
            addressType: family, apiVersion: "discovery.k8s.io/v1", endpoints: endpoints, kind: "EndpointSlice", metadata: metadata,
            ports: ports)
    }
}
