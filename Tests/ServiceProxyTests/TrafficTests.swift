import Foundation
import NFTables
import Testing
@testable import ServiceProxy

/// Real traffic through the proxier's rules, in namespaces the tests create.
@Suite("Service traffic through the proxier's rules", .serialized, .kernel)
struct TrafficTests {
    func lab(_ dispatch: ProxyConfiguration.EndpointDispatch = .verdictMap) async throws -> TrafficLab {
        let lab = try TrafficLab(dispatch: dispatch)
        await SampleServices.load(into: lab.proxier)
        try await lab.proxier.sync()
        return lab
    }

    @Test(arguments: [ProxyConfiguration.EndpointDispatch.verdictMap, .sequentialRules])
    func clusterIPSpreadsRequestsOverEveryReadyBackendInRoughlyEvenShares(dispatch: ProxyConfiguration.EndpointDispatch) async throws {
        let lab = try await lab(dispatch)
        let counts = lab.backendCounts("10.96.0.10", 80, count: 90)
        #expect(counts["failed"] == nil)
        for backend in ["B1", "B2", "B3"] {
            // 30 expected each; the bounds are more than four standard deviations away.
            #expect((12...48).contains(counts[backend] ?? 0), "\(backend): \(counts)")
        }
        // The client is outside the cluster CIDR, so its traffic is masqueraded to the node.
        guard case .success(let answer) = lab.get("10.96.0.10", 80) else {
            Issue.record("request failed")
            return
        }
        #expect(answer.hasSuffix(" 10.244.1.1") || answer.hasSuffix(" 10.244.2.1") || answer.hasSuffix(" 10.244.3.1"), "\(answer)")
    }

    @Test func nodePortAnswersARemoteClientOnTheNodesAddress() async throws {
        let lab = try await lab()
        let counts = lab.backendCounts("10.1.0.1", 30080, count: 12)
        #expect(counts["failed"] == nil)
        #expect(counts.keys.allSatisfy { ["B1", "B2", "B3"].contains($0) })
        // The external IP goes the same way.
        try lab.client.ip("route add 192.0.2.7/32 via 10.1.0.1")
        try lab.node.ip("addr add 192.0.2.7/32 dev up0")
        guard case .success(let answer) = lab.get("192.0.2.7", 80) else {
            Issue.record("external IP request failed")
            return
        }
        #expect(answer.hasPrefix("B"))
    }

    @Test func sessionAffinityPinsAClientToOneBackend() async throws {
        let lab = try await lab()
        let counts = lab.backendCounts("10.96.0.30", 80, count: 20)
        #expect(counts["failed"] == nil, "\(counts)")
        #expect(counts.count == 1, "\(counts)")
        #expect(counts.values.first == 20)
    }

    @Test func externalTrafficPolicyLocalKeepsTheClientsSourceAddress() async throws {
        let lab = try await lab()
        for _ in 0..<6 {
            guard case .success(let answer) = lab.get("10.1.0.1", 30050) else {
                Issue.record("request to the Local NodePort failed")
                return
            }
            // Only the local endpoint (B1) serves, and it sees the client itself.
            #expect(answer == "B1 10.1.0.2")
        }
        // With Cluster policy the same client is masqueraded.
        guard case .success(let masqueraded) = lab.get("10.1.0.1", 30080) else {
            Issue.record("request to the Cluster NodePort failed")
            return
        }
        #expect(!masqueraded.hasSuffix(" 10.1.0.2"), "\(masqueraded)")
    }

    @Test func serviceWithoutEndpointsRefusesAtOnce() async throws {
        let lab = try await lab()
        for (host, port) in [("10.96.0.20", UInt16(80)), ("10.1.0.1", 30020)] {
            let url = "\(host):\(port)"
            let clock = ContinuousClock()
            let start = clock.now
            let result = lab.get(host, port)
            let elapsed = clock.now - start
            guard case .failure(let failure) = result else {
                Issue.record("\(url) answered")
                continue
            }
            #expect(failure.output.contains("refused"), "\(url): \(failure.output)")
            // Refused, not timed out (nc waits 3 s). On a veth the ICMP error comes back while
            // connect() still holds the socket lock, so the kernel keeps it as a soft error and the
            // SYN retransmission one second later gets the hard one; across a real link it is at once.
            #expect(elapsed < .milliseconds(1_500), "\(url) took \(elapsed)")
        }
    }

    @Test func removingAnEndpointStopsTrafficToIt() async throws {
        let lab = try await lab()
        await lab.proxier.updateEndpointSlice(SampleServices.slice(SampleServices.web, ["10.244.1.5", "10.244.2.5"],
                                                                   ports: [.init(name: "http", port: 8080)]))
        let report = try #require(try await lab.proxier.sync())
        #expect(!report.full)
        let counts = lab.backendCounts("10.96.0.10", 80, count: 30)
        #expect(counts["B3"] == nil, "\(counts)")
        #expect(counts["failed"] == nil, "\(counts)")
        #expect((counts["B1"] ?? 0) + (counts["B2"] ?? 0) == 30)
    }

    @Test func udpServiceAnswersAndItsStaleFlowsAreFlushedWhenTheEndpointGoes() async throws {
        let lab = try await lab()
        let servers = try lab.backends.prefix(2).enumerated().map { index, backend in
            // Bound to the endpoint address, so replies leave from the address the flow was DNATed to.
            let server = try NamespacedUDPSocket(namespace: backend.path, address: "10.244.\(index + 1).9", port: 5353)
            server.serve(reply: "B\(index + 1)")
            return server
        }
        let client = try NamespacedUDPSocket(namespace: lab.client.path, port: 40000)
        let first = try #require(client.request("q", to: "10.96.0.53", port: 53))
        #expect(first == "B1" || first == "B2")
        // The same source port keeps its flow, and so its backend.
        for _ in 0..<3 { #expect(client.request("q", to: "10.96.0.53", port: 53) == first) }

        let remaining = first == "B1" ? "10.244.2.9" : "10.244.1.9"
        await lab.proxier.updateEndpointSlice(SampleServices.slice(SampleServices.dns, [remaining],
                                                                   ports: [.init(name: "dns", port: 5353, protocol: .udp),
                                                                           .init(name: "dns-tcp", port: 5353, protocol: .tcp)]))
        let report = try #require(try await lab.proxier.sync())
        #expect(report.conntrackFlowsDeleted >= 1)
        let flows = try NetlinkConntrack(networkNamespace: lab.node.path).listFlows(family: .ipv4)
        #expect(!flows.contains { $0.originalDestinationPort == 53 && $0.replySource != ProxyIPFamily.ipv4.addressBytes(remaining) })
        // The old backend still runs, yet the next datagram of the same flow goes to the other one.
        let after = client.request("q", to: "10.96.0.53", port: 53)
        #expect(after != nil && after != first, "answered by \(after ?? "nobody") after \(first) was removed")
        withExtendedLifetime(servers) {}
    }
}
