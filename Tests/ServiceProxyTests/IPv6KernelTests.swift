import Foundation
import NFTables
import Testing
@testable import ServiceProxy

/// The IPv6 proxier against the kernel: an `ip6 kube-proxy` table that reads back as `nft -f`
/// of the rendered text does, and IPv6 traffic to a ClusterIP reaching a backend.
@Suite("IPv6 proxier against the kernel", .serialized, .kernel)
struct IPv6KernelTests {
    static let service = ServiceName(namespace: "default", name: "web6")

    func load(_ proxier: NFTablesProxier, endpoints: [String]) async {
        await proxier.updateService(Self.service, ports: [
            ServicePortInfo(name: ServicePortName(service: Self.service, port: "http", protocol: .tcp), clusterIP: "fd00:96::10", port: 80,
                            nodePort: 30081, sessionAffinity: .clientIP(timeoutSeconds: 60)),
        ])
        await proxier.updateEndpointSlice(EndpointSliceInfo(name: "web6-a", service: Self.service, family: .ipv6,
                                                            ports: [.init(name: "http", port: 8080)],
                                                            endpoints: endpoints.map { .init(addresses: [$0]) }))
        await proxier.servicesDidSync()
        await proxier.endpointSlicesDidSync()
    }

    @Test(arguments: [ProxyConfiguration.EndpointDispatch.verdictMap, .sequentialRules])
    func ipv6TableReadsBackAsNftLoadingTheRenderedText(dispatch: ProxyConfiguration.EndpointDispatch) async throws {
        let ours = try TestNamespace("v6")
        let proxier = NFTablesProxier(configuration: Fixture.configuration(.ipv6, dispatch: dispatch),
                                      connection: try NetfilterConnection(networkNamespace: ours.path))
        await load(proxier, endpoints: ["fd00:10:244:1::5", "fd00:10:244:2::5"])
        try await proxier.sync()
        let peer = try TestNamespace("v6-peer")
        try peer.nft(["-f", "-"], input: await proxier.rulesetText())
        let ourJSON = try NftJSON.comparable(try ours.nft(["-j", "list", "ruleset"]))
        let peerJSON = try NftJSON.comparable(try peer.nft(["-j", "list", "ruleset"]))
        #expect(ourJSON.count > 40)
        #expect(ourJSON == peerJSON)
        #expect(ourJSON.allSatisfy { !$0.contains("\"family\":\"ip\"") })
    }

    @Test func ipv6ClusterIPReachesABackend() async throws {
        let node = try TestNamespace("v6node")
        let client = try TestNamespace("v6client")
        let backend = try TestNamespace("v6backend")
        try node.exec(["/usr/sbin/sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
        for namespace in [node, client, backend] {
            try namespace.exec(["/usr/sbin/sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"])
            try namespace.exec(["/usr/sbin/sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"])
        }
        try node.link(to: client, localName: "c0", local: "fd00:1::1/64", remoteName: "eth0", remote: "fd00:1::2/64")
        try node.link(to: backend, localName: "b1", local: "fd00:10:244:1::1/64", remoteName: "eth0", remote: "fd00:10:244:1::5/64")
        try client.ip("-6 route add default via fd00:1::1")
        try backend.ip("-6 route add default via fd00:10:244:1::1")
        let files = try TemporaryDirectory()
        try "hello from v6\n".write(to: files.url.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try backend.start([KernelEnvironment.busybox, "httpd", "-f", "-p", "[::]:8080", "-h", files.url.path])

        let proxier = NFTablesProxier(configuration: Fixture.configuration(.ipv6),
                                      connection: try NetfilterConnection(networkNamespace: node.path))
        await load(proxier, endpoints: ["fd00:10:244:1::5"])
        try await proxier.sync()

        var answer = ""
        for _ in 0..<20 where !answer.contains("hello") {
            answer = (try? client.exec([KernelEnvironment.busybox, "nc", "-w", "2", "fd00:96::10", "80"],
                                       input: "GET /index.html HTTP/1.0\r\n\r\n")) ?? ""
            if !answer.contains("hello") { usleep(100_000) }
        }
        #expect(answer.contains("hello from v6"))
    }
}
