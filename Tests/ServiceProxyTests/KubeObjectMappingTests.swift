import KubeAPI
import Testing
@testable import ServiceProxy

/// The adapter from `CoreV1.Service` and `DiscoveryV1.EndpointSlice` to the proxier's model,
/// as tables: manifest text in, the model's values out (upstream's `servicechangetracker.go`,
/// `serviceport.go` and `endpointslicecache.go` read the same fields the same way).
@Suite("Service and EndpointSlice objects read into the proxier's model")
struct KubeObjectMappingTests {
    static func service(_ yaml: String) throws -> CoreV1.Service {
        let decoder = ManifestDecoder(strict: true)
        let document = try #require(try decoder.documents(in: yaml, file: "service.yaml").first)
        return try decoder.decode(CoreV1.Service.self, from: document)
    }

    static func slice(_ yaml: String) throws -> DiscoveryV1.EndpointSlice {
        let decoder = ManifestDecoder(strict: true)
        let document = try #require(try decoder.documents(in: yaml, file: "slice.yaml").first)
        return try decoder.decode(DiscoveryV1.EndpointSlice.self, from: document)
    }

    static func web(_ port: String = "http", _ proto: TransportProtocol = .tcp) -> ServicePortName {
        ServicePortName(namespace: "default", name: "web", port: port, protocol: proto)
    }

    struct ServiceCase: Sendable, CustomTestStringConvertible {
        var label: String
        var family: ProxyIPFamily = .ipv4
        var yaml: String
        var expected: [ServicePortInfo]
        var testDescription: String { label }
    }

    static let serviceCases: [ServiceCase] = [
        ServiceCase(label: "ClusterIP with a named port and the protocol left to its TCP default", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              clusterIP: 10.96.0.10
              ports: [{name: http, port: 80, targetPort: 8080}]
            """, expected: [ServicePortInfo(name: web(), clusterIP: "10.96.0.10", port: 80)]),
        ServiceCase(label: "headless (clusterIP None) is not proxied", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec: {clusterIP: None, ports: [{name: http, port: 80}]}
            """, expected: []),
        ServiceCase(label: "ExternalName is not proxied", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec: {type: ExternalName, externalName: example.com, clusterIP: 10.96.0.10, ports: [{name: http, port: 80}]}
            """, expected: []),
        ServiceCase(label: "a service labelled for another proxy is not proxied", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default, labels: {service.kubernetes.io/service-proxy-name: other}}
            spec: {clusterIP: 10.96.0.10, ports: [{name: http, port: 80}]}
            """, expected: []),
        ServiceCase(label: "a single-stack IPv4 service has no IPv6 ports", family: .ipv6, yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec: {clusterIP: 10.96.0.10, ports: [{name: http, port: 80}]}
            """, expected: []),
        ServiceCase(label: "dual-stack: the IPv6 proxier takes the IPv6 ClusterIP and external IPs", family: .ipv6, yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              clusterIP: 10.96.0.10
              clusterIPs: [10.96.0.10, "fd00::10"]
              externalIPs: [192.0.2.7, "2001:db8::7"]
              ports: [{name: http, port: 80}]
            """, expected: [ServicePortInfo(name: web(), clusterIP: "fd00::10", port: 80, externalIPs: ["2001:db8::7"])]),
        ServiceCase(label: "LoadBalancer, Local: nodePort, VIP ingress IPs only, trimmed source ranges of the family, health check port", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.0.10
              externalTrafficPolicy: Local
              healthCheckNodePort: 32000
              loadBalancerSourceRanges: [" 203.0.113.0/24 ", "2001:db8::/64"]
              ports: [{name: http, port: 80, nodePort: 30080}]
            status:
              loadBalancer:
                ingress:
                - {ip: 198.51.100.1}
                - {ip: 198.51.100.2, ipMode: VIP}
                - {ip: 198.51.100.3, ipMode: Proxy}
                - {hostname: lb.example.com}
                - {ip: "2001:db8::1"}
            """, expected: [ServicePortInfo(
                name: web(), clusterIP: "10.96.0.10", port: 80, nodePort: 30080,
                loadBalancerIPs: ["198.51.100.1", "198.51.100.2"], loadBalancerSourceRanges: [CIDR("203.0.113.0/24")!],
                externalPolicyLocal: true, healthCheckNodePort: 32000)]),
        ServiceCase(label: "externalTrafficPolicy Local on a service not reached from outside counts for nothing; internal Local does", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              clusterIP: 10.96.0.10
              externalTrafficPolicy: Local
              internalTrafficPolicy: Local
              healthCheckNodePort: 32000
              ports: [{name: http, port: 80}]
            """, expected: [ServicePortInfo(name: web(), clusterIP: "10.96.0.10", port: 80, internalPolicyLocal: true)]),
        ServiceCase(label: "NodePort with Local has a local external policy but no health check port", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              type: NodePort
              clusterIP: 10.96.0.10
              externalTrafficPolicy: Local
              healthCheckNodePort: 32000
              ports: [{name: http, port: 80, nodePort: 30080}]
            """, expected: [ServicePortInfo(name: web(), clusterIP: "10.96.0.10", port: 80, nodePort: 30080, externalPolicyLocal: true)]),
        ServiceCase(label: "ClientIP affinity with its timeout, and without one the three-hour default", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              clusterIP: 10.96.0.10
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
              ports: [{name: http, port: 80}]
            """, expected: [ServicePortInfo(name: web(), clusterIP: "10.96.0.10", port: 80, sessionAffinity: .clientIP(timeoutSeconds: 60))]),
        ServiceCase(label: "ClientIP affinity without a config takes 10800 seconds", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec: {clusterIP: 10.96.0.10, sessionAffinity: ClientIP, ports: [{name: http, port: 80}]}
            """, expected: [ServicePortInfo(name: web(), clusterIP: "10.96.0.10", port: 80, sessionAffinity: .clientIP(timeoutSeconds: 10_800))]),
        ServiceCase(label: "several ports keep their protocols; an unknown protocol is left out", yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              clusterIP: 10.96.0.10
              ports:
              - {name: dns, port: 53, protocol: UDP}
              - {name: sig, port: 3868, protocol: SCTP}
              - {name: odd, port: 99, protocol: QUIC}
            """, expected: [
                ServicePortInfo(name: web("dns", .udp), clusterIP: "10.96.0.10", port: 53),
                ServicePortInfo(name: web("sig", .sctp), clusterIP: "10.96.0.10", port: 3868),
            ]),
    ]

    @Test(arguments: serviceCases)
    func servicePortsAreReadAsUpstreamReadsThem(_ row: ServiceCase) throws {
        let service = try Self.service(row.yaml)
        #expect(ServicePortInfo.ports(of: service, family: row.family) == row.expected)
    }

    struct SliceCase: Sendable, CustomTestStringConvertible {
        var label: String
        var yaml: String
        var expected: EndpointSliceInfo?
        var testDescription: String { label }
    }

    static let sliceCases: [SliceCase] = [
        SliceCase(label: "unset conditions read as ready, serving, not terminating; unset port name and protocol as \"\" and TCP", yaml: """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: shop, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints:
            - {addresses: [10.244.1.5], nodeName: node-a}
            """, expected: EndpointSliceInfo(
                name: "web-abc", service: ServiceName(namespace: "shop", name: "web"), family: .ipv4,
                ports: [.init(name: "", port: 8080, protocol: .tcp)],
                endpoints: [.init(addresses: ["10.244.1.5"], ready: true, serving: true, terminating: false, nodeName: "node-a")])),
        SliceCase(label: "explicit conditions are kept; endpoints without addresses and ports without numbers are left out", yaml: """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-v6, labels: {kubernetes.io/service-name: web}}
            addressType: IPv6
            ports: [{name: http, port: 8080, protocol: TCP}, {name: nothing}]
            endpoints:
            - addresses: ["fd00::5"]
              conditions: {ready: false, serving: true, terminating: true}
            - addresses: []
            """, expected: EndpointSliceInfo(
                name: "web-v6", service: ServiceName(namespace: "default", name: "web"), family: .ipv6,
                ports: [.init(name: "http", port: 8080, protocol: .tcp)],
                endpoints: [.init(addresses: ["fd00::5"], ready: false, serving: true, terminating: true)])),
        SliceCase(label: "a slice without the service-name label is ignored", yaml: """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: orphan, namespace: default}
            addressType: IPv4
            endpoints: [{addresses: [10.244.1.5]}]
            """, expected: nil),
        SliceCase(label: "an FQDN slice is ignored", yaml: """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-fqdn, namespace: default, labels: {kubernetes.io/service-name: web}}
            addressType: FQDN
            endpoints: [{addresses: [db.example.com]}]
            """, expected: nil),
        SliceCase(label: "a slice of a headless service is ignored", yaml: """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web, service.kubernetes.io/headless: ""}}
            addressType: IPv4
            endpoints: [{addresses: [10.244.1.5]}]
            """, expected: nil),
    ]

    @Test(arguments: sliceCases)
    func endpointSlicesAreReadAsUpstreamReadsThem(_ row: SliceCase) throws {
        let slice = try Self.slice(row.yaml)
        #expect(EndpointSliceInfo(slice) == row.expected)
    }

    struct MergeCase: Sendable, CustomTestStringConvertible {
        var label: String
        var slices: [String]
        var expected: [EndpointInfo]
        var testDescription: String { label }
    }

    static func sliceYAML(_ name: String, _ endpoints: String) -> String {
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: \(name), namespace: default, labels: {kubernetes.io/service-name: web}}
        addressType: IPv4
        ports: [{name: http, port: 8080}]
        endpoints:
        \(endpoints)
        """
    }

    static let mergeCases: [MergeCase] = [
        MergeCase(label: "addresses × ports across two slices, local by nodeName, sorted", slices: [
            sliceYAML("web-1", "- {addresses: [10.244.2.5], nodeName: node-b}"),
            sliceYAML("web-2", "- {addresses: [10.244.1.5], nodeName: node-a}"),
        ], expected: [
            EndpointInfo(address: "10.244.1.5", port: 8080, isLocal: true),
            EndpointInfo(address: "10.244.2.5", port: 8080),
        ]),
        MergeCase(label: "the same endpoint in two slices is one endpoint, the ready copy kept", slices: [
            sliceYAML("web-1", "- {addresses: [10.244.1.5], conditions: {ready: false, serving: false}}"),
            sliceYAML("web-2", "- {addresses: [10.244.1.5], conditions: {ready: true}}"),
        ], expected: [EndpointInfo(address: "10.244.1.5", port: 8080)]),
        MergeCase(label: "the same endpoint named local in one slice only is local, as upstream favours", slices: [
            sliceYAML("web-1", "- {addresses: [10.244.1.5], nodeName: node-a, conditions: {ready: false, serving: false}}"),
            sliceYAML("web-2", "- {addresses: [10.244.1.5], nodeName: node-b}"),
        ], expected: [EndpointInfo(address: "10.244.1.5", port: 8080, isLocal: true, isReady: false, isServing: false)]),
        MergeCase(label: "a terminating endpoint that still serves keeps its conditions", slices: [
            sliceYAML("web-1", "- {addresses: [10.244.1.5], conditions: {ready: false, serving: true, terminating: true}}"),
        ], expected: [EndpointInfo(address: "10.244.1.5", port: 8080, isReady: false, isServing: true, isTerminating: true)]),
    ]

    @Test(arguments: mergeCases)
    func slicesOfOneServiceMergeIntoItsPortsEndpoints(_ row: MergeCase) throws {
        var tracker = EndpointSliceTracker(family: .ipv4, hostname: "node-a")
        for yaml in row.slices {
            tracker.update(try #require(EndpointSliceInfo(try Self.slice(yaml))))
        }
        #expect(tracker.endpoints(for: Self.web()) == row.expected)
    }
}
