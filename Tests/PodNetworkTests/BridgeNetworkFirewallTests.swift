import Foundation
import Glibc
import Netlink
import NFTables
import PodNetwork
import TestSupport
import Testing

/// The built-in plugin with the real nftables firewall, in namespaces the test creates: a "node"
/// holding the bridge and the firewall's table, pods, and an "upstream" host linked to the node
/// that has no route to the pods. Debian's `nft -j` reads back what was programmed.
@Suite(.serialized, .requires(.root))
struct BridgeNetworkFirewallTests {
    static let table = NFTablesPodNetworkFirewall.defaultTableName
    static let nodeAddress = IPAddress("192.168.93.1")!
    static let upstreamAddress = IPAddress("192.168.93.2")!
    static let nodeAddress6 = IPAddress("fd00:93::1")!
    static let upstreamAddress6 = IPAddress("fd00:93::2")!

    /// Runs `body` with namespaces `node`, `up` (linked to the node) and the given pods, a plugin
    /// over the real firewall (started) and the firewall itself.
    func withNode(pods: Int, cidrs: [String] = ["10.93.0.0/24"],
                  _ body: (_ node: NetworkNamespace, _ upstream: NetworkNamespace, _ pods: [NetworkNamespace],
                           _ plugin: BridgeNetwork, _ firewall: NFTablesPodNetworkFirewall, _ state: String) async throws -> Void) async throws {
        try Requirement.verify(.command(NftListing.nftPath))
        try await withTemporaryDirectory("swiftlet-net") { state in
            try await withNamespaces(["node", "up"] + (0..<pods).map { "pod\($0)" }) { spaces in
                let (node, upstream) = (spaces[0], spaces[1])
                try connectUpstream(node: node, upstream: upstream,
                                    nodeAddress: IPNetwork(address: Self.nodeAddress, prefixLength: 24)!,
                                    upstreamAddress: IPNetwork(address: Self.upstreamAddress, prefixLength: 24)!,
                                    more: [(IPNetwork(address: Self.nodeAddress6, prefixLength: 64)!,
                                            IPNetwork(address: Self.upstreamAddress6, prefixLength: 64)!)])
                let firewall = try NFTablesPodNetworkFirewall(networkNamespace: node.path)
                let configuration = BridgeNetworkConfiguration(bridgeName: "swf0", podCIDRs: cidrs.compactMap { IPNetwork($0) },
                                                               stateDirectory: state, nodeNamespacePath: node.path)
                let plugin = try BridgeNetwork(configuration: configuration, firewall: firewall)
                try await plugin.start(liveSandboxes: [])
                try await body(node, upstream, Array(spaces.dropFirst(2)), plugin, firewall, state)
            }
        }
    }

    @Test func podReachesAnOutsideHostWhichSeesTheNodeAddressAsSource() async throws {
        try await withNode(pods: 1) { _, upstream, pods, plugin, _, _ in
            _ = try await plugin.add(PodNetworkRequest(sandboxID: "egress", namespacePath: pods[0].path))
            let probe = try Probe.tcp(from: pods[0], to: Self.upstreamAddress, port: 7100, servedFrom: upstream)
            #expect(probe.reached)
            #expect(probe.peer == Self.nodeAddress)
        }
    }

    @Test func hostPortReachesThePodFromOutsideFromTheNodeItsLocalhostAndFromThePodItself() async throws {
        try await withNode(pods: 1) { node, upstream, pods, plugin, _, _ in
            let request = PodNetworkRequest(sandboxID: "web", namespacePath: pods[0].path, portMappings: [
                HostPortMapping(hostPort: 8080, containerPort: 80),
                HostPortMapping(hostPort: 8443, containerPort: 443, hostIP: Self.nodeAddress),
            ])
            let result = try await plugin.add(request)
            let gateway = try #require(result.addresses.first?.gateway)

            let outside = try Probe.tcp(from: upstream, to: Self.nodeAddress, port: 8080, servedFrom: pods[0], listeningOn: 80)
            #expect(outside.reached)
            // Only hairpin and egress traffic is masqueraded: the pod sees the real client.
            #expect(outside.peer == Self.upstreamAddress)
            #expect(try Probe.tcp(from: upstream, to: Self.nodeAddress, port: 8443, servedFrom: pods[0], listeningOn: 443).reached)
            let fromNode = try Probe.tcp(from: node, to: Self.nodeAddress, port: 8080, servedFrom: pods[0], listeningOn: 80)
            #expect(fromNode.reached)
            // The gateway is a node address too: "type local" covers every one of them.
            #expect(try Probe.tcp(from: node, to: gateway, port: 8080, servedFrom: pods[0], listeningOn: 80).reached)
            let localhost = try Probe.tcp(from: node, to: IPAddress("127.0.0.1")!, port: 8080, servedFrom: pods[0], listeningOn: 80)
            #expect(localhost.reached)
            #expect(localhost.peer == gateway)
            let hairpin = try Probe.tcp(from: pods[0], to: Self.nodeAddress, port: 8080, servedFrom: pods[0], listeningOn: 80)
            #expect(hairpin.reached)
            #expect(hairpin.peer == gateway)
            // A port nobody published stays closed.
            #expect(try !Probe.tcp(from: upstream, to: Self.nodeAddress, port: 8081, servedFrom: pods[0], listeningOn: 80).reached)
        }
    }

    @Test func podCannotReachTheNodesLoopbackThroughTheBridgeDespiteRouteLocalnet() async throws {
        try await withNode(pods: 1) { node, _, pods, plugin, _, _ in
            let result = try await plugin.add(PodNetworkRequest(sandboxID: "prober", namespacePath: pods[0].path))
            let gateway = try #require(result.addresses.first?.gateway)
            #expect(try Sysctl.read("net/ipv4/conf/swf0/route_localnet", in: node) == "1")
            // The pod sends 127.0.0.2 to the gateway, as a hostile pod could (CVE-2020-8558).
            let pod = String(pods[0].path.split(separator: "/").last!)
            try runIP(["netns", "exec", pod, "ip", "route", "del", "local", "127.0.0.0/8", "dev", "lo", "table", "local"])
            try runIP(["netns", "exec", pod, "ip", "route", "add", "127.0.0.0/8", "via", "\(gateway)", "dev", "eth0"])
            try Sysctl.write("net/ipv4/conf/eth0/route_localnet", "1", in: pods[0])
            #expect(try !Probe.tcp(from: pods[0], to: IPAddress("127.0.0.2")!, port: 9500, servedFrom: node).reached)
            // The pod still reaches the node on the gateway address.
            #expect(try Probe.tcp(from: pods[0], to: gateway, port: 9501, servedFrom: node).reached)
        }
    }

    func runIP(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NftListing.ipPath)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NftListing.Failure(description: "ip \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }

    @Test func hostPortBoundToOneNodeAddressWinsThereOverTheSamePortForEveryAddress() async throws {
        try await withNode(pods: 2) { node, upstream, pods, plugin, _, _ in
            let everywhere = try await plugin.add(PodNetworkRequest(sandboxID: "everywhere", namespacePath: pods[0].path,
                                                                    portMappings: [HostPortMapping(hostPort: 9300, containerPort: 93)]))
            _ = try await plugin.add(PodNetworkRequest(sandboxID: "bound", namespacePath: pods[1].path,
                                                       portMappings: [HostPortMapping(hostPort: 9300, containerPort: 93, hostIP: Self.nodeAddress)]))
            #expect(try Probe.tcp(from: upstream, to: Self.nodeAddress, port: 9300, servedFrom: pods[1], listeningOn: 93).reached)
            #expect(try !Probe.tcp(from: upstream, to: Self.nodeAddress, port: 9300, servedFrom: pods[0], listeningOn: 93).reached)
            let gateway = try #require(everywhere.addresses.first?.gateway)
            #expect(try Probe.tcp(from: node, to: gateway, port: 9300, servedFrom: pods[0], listeningOn: 93).reached)
        }
    }

    @Test func dualStackPodGetsIPv6EgressMasqueradeAndIPv6HostPorts() async throws {
        try await withNode(pods: 1, cidrs: ["10.94.0.0/24", "fd00:94::/64"]) { node, upstream, pods, plugin, _, _ in
            let result = try await plugin.add(PodNetworkRequest(sandboxID: "dual", namespacePath: pods[0].path, portMappings: [
                HostPortMapping(hostPort: 8080, containerPort: 80),
                HostPortMapping(hostPort: 8443, containerPort: 443, hostIP: Self.nodeAddress6),
            ]))
            #expect(result.podIPs.count == 2)
            let egress = try Probe.tcp(from: pods[0], to: Self.upstreamAddress6, port: 7200, servedFrom: upstream)
            #expect(egress.reached && egress.peer == Self.nodeAddress6)
            let v6 = try Probe.tcp(from: upstream, to: Self.nodeAddress6, port: 8080, servedFrom: pods[0], listeningOn: 80)
            #expect(v6.reached && v6.peer == Self.upstreamAddress6)
            #expect(try Probe.tcp(from: upstream, to: Self.nodeAddress6, port: 8443, servedFrom: pods[0], listeningOn: 443).reached)
            // Bound to the IPv6 node address only: not published on the IPv4 one.
            #expect(try !Probe.tcp(from: upstream, to: Self.nodeAddress, port: 8443, servedFrom: pods[0], listeningOn: 443).reached)
            #expect(try Probe.tcp(from: upstream, to: Self.nodeAddress, port: 8080, servedFrom: pods[0], listeningOn: 80).reached)
            let elements = try NftListing.elements(ofTable: Self.table, in: node)
            #expect(elements["hostports-ip6"]?.count == 1 && elements["hostip-hostports-ip6"]?.count == 1)
            #expect(elements["hairpin-ip6"]?.count == 1 && elements["hostip-hostports-ip4"]?.isEmpty == true)
        }
    }

    @Test func teardownLeavesNoNFTablesElementBehind() async throws {
        try await withNode(pods: 2) { node, upstream, pods, plugin, _, _ in
            let first = PodNetworkRequest(sandboxID: "first", namespacePath: pods[0].path, portMappings: [
                HostPortMapping(hostPort: 9000, containerPort: 90), HostPortMapping(hostPort: 9001, containerPort: 91, protocol: .udp),
            ])
            let second = PodNetworkRequest(sandboxID: "second", namespacePath: pods[1].path,
                                           portMappings: [HostPortMapping(hostPort: 9002, containerPort: 92, hostIP: Self.nodeAddress)])
            _ = try await plugin.add(first)
            _ = try await plugin.add(second)
            let during = try NftListing.elements(ofTable: Self.table, in: node)
            #expect(during["hostports-ip4"]?.count == 2)
            #expect(during["hostip-hostports-ip4"]?.count == 1)
            #expect(during["hairpin-ip4"]?.count == 2)

            try await plugin.delete(first)
            let between = try NftListing.elements(ofTable: Self.table, in: node)
            #expect(between["hostports-ip4"]?.isEmpty == true)
            #expect(between["hostip-hostports-ip4"]?.count == 1)
            #expect(between["hairpin-ip4"]?.count == 1)
            #expect(try Probe.tcp(from: upstream, to: Self.nodeAddress, port: 9002, servedFrom: pods[1], listeningOn: 92).reached)

            try await plugin.delete(second)
            let after = try NftListing.elements(ofTable: Self.table, in: node)
            #expect(after.count == HostPortSetNames.all.count)
            #expect(after.values.allSatisfy { $0.isEmpty })
            #expect(try !Probe.tcp(from: upstream, to: Self.nodeAddress, port: 9002, servedFrom: pods[1], listeningOn: 92).reached)
            try await plugin.delete(second)
        }
    }

    @Test func deleteSucceedsWhenSomeoneElseAlreadyRemovedPartOfTheElements() async throws {
        try await withNode(pods: 1) { node, _, pods, plugin, firewall, _ in
            let request = PodNetworkRequest(sandboxID: "meddled", namespacePath: pods[0].path,
                                            portMappings: [HostPortMapping(hostPort: 9400, containerPort: 94)])
            _ = try await plugin.add(request)
            try NftListing.run(["flush", "map", "inet", Self.table, "hostports-ip4"], in: node)
            try await plugin.delete(request)
            #expect(try NftListing.elements(ofTable: Self.table, in: node).values.allSatisfy { $0.isEmpty })
            #expect(try await firewall.sandboxesWithHostPorts().isEmpty)
        }
    }

    @Test func hostPortsOfSandboxesGoneAcrossAnAgentRestartAreRemovedAtStart() async throws {
        try await withNode(pods: 2) { node, _, pods, plugin, _, state in
            _ = try await plugin.add(PodNetworkRequest(sandboxID: "alive", namespacePath: pods[0].path,
                                                       portMappings: [HostPortMapping(hostPort: 9100, containerPort: 91)]))
            _ = try await plugin.add(PodNetworkRequest(sandboxID: "dead", namespacePath: pods[1].path,
                                                       portMappings: [HostPortMapping(hostPort: 9101, containerPort: 91)]))
            // A new agent: a fresh firewall learns the owners from the kernel's element comments.
            let firewall = try NFTablesPodNetworkFirewall(networkNamespace: node.path)
            #expect(try await firewall.sandboxesWithHostPorts() == ["alive", "dead"])
            let configuration = BridgeNetworkConfiguration(bridgeName: "swf0", podCIDRs: [IPNetwork("10.93.0.0/24")!],
                                                           stateDirectory: state, nodeNamespacePath: node.path)
            let restarted = try BridgeNetwork(configuration: configuration, firewall: firewall)
            try await restarted.start(liveSandboxes: ["alive"])
            #expect(try await firewall.sandboxesWithHostPorts() == ["alive"])
            let elements = try NftListing.elements(ofTable: Self.table, in: node)
            #expect(elements["hostports-ip4"]?.count == 1)
            #expect(elements["hairpin-ip4"]?.count == 1)
        }
    }

    @Test func everyCallIsIdempotentAndAConflictingHostPortChangesNothing() async throws {
        try await withNode(pods: 2) { node, _, pods, plugin, firewall, _ in
            let request = PodNetworkRequest(sandboxID: "once", namespacePath: pods[0].path,
                                            portMappings: [HostPortMapping(hostPort: 9200, containerPort: 92)])
            _ = try await plugin.add(request)
            let rules = try NftListing.ruleCount(ofTable: Self.table, in: node)
            let elements = try NftListing.elements(ofTable: Self.table, in: node).mapValues(\.count)
            _ = try await plugin.add(request)
            try await firewall.ensureMasquerade(podCIDRs: [IPNetwork("10.93.0.0/24")!], bridge: "swf0")
            #expect(try NftListing.ruleCount(ofTable: Self.table, in: node) == rules)
            #expect(try NftListing.elements(ofTable: Self.table, in: node).mapValues(\.count) == elements)

            let rival = PodNetworkRequest(sandboxID: "rival", namespacePath: pods[1].path,
                                          portMappings: [HostPortMapping(hostPort: 9200, containerPort: 80)])
            do {
                _ = try await plugin.add(rival)
                Issue.record("a second sandbox published tcp/9200")
            } catch let error as PodNetworkError {
                #expect(error.description.contains("tcp/9200") && error.description.contains("sandbox once"))
            }
            #expect(try NftListing.elements(ofTable: Self.table, in: node).mapValues(\.count) == elements)
            #expect(try NetlinkSocket(in: pods[1]).link(named: "eth0") == nil)
            #expect(try await firewall.sandboxesWithHostPorts() == ["once"])
        }
    }
}

/// The set and map names of the firewall's table, as the tests expect them in `nft` output.
enum HostPortSetNames {
    static let all = ["hostports-ip4", "hostports-ip6", "hostip-hostports-ip4", "hostip-hostports-ip6", "hairpin-ip4", "hairpin-ip6"]
}
