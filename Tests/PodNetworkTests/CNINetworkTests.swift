import CSwiftletNet
import Foundation
import Glibc
import Netlink
import PodNetwork
import TestSupport
import Testing

/// The external mode against Debian's containernetworking-plugins (bridge, host-local, loopback,
/// portmap) as the real peer, run inside a "node" namespace the test creates.
@Suite(.serialized, .requires(.root))
final class CNINetworkTests {
    static let pluginDirectory = "/usr/lib/cni"
    /// The trees this test made, removed when the test ends, passed or failed.
    private let directories = TemporaryDirectories(prefix: "swiftlet-cni")

    struct Setup {
        let root: String
        let configuration: CNINetworkConfiguration
    }

    /// A temporary tree with a conflist (`plugins` spliced in) and cache and IPAM directories.
    func makeSetup(node: NetworkNamespace, version: String = "1.0.0", plugins: (String) -> String, extraBinaries: [String: String] = [:]) throws -> Setup {
        try Requirement.verify(.path(Self.pluginDirectory + "/bridge"))
        let root = try directories.make()
        try FileManager.default.createDirectory(atPath: root + "/net.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        let conflist = "{\"cniVersion\":\"\(version)\",\"name\":\"swt-cni\",\"plugins\":[\(plugins(root))]}"
        try conflist.write(toFile: root + "/net.d/10-swt.conflist", atomically: true, encoding: .utf8)
        for (name, script) in extraBinaries {
            try script.write(toFile: root + "/bin/" + name, atomically: true, encoding: .utf8)
            chmod(root + "/bin/" + name, 0o755)
        }
        let configuration = CNINetworkConfiguration(configurationDirectory: root + "/net.d",
                                                    binaryDirectories: [root + "/bin", Self.pluginDirectory],
                                                    cacheDirectory: root + "/cache", nodeNamespacePath: node.path)
        return Setup(root: root, configuration: configuration)
    }

    static func bridgePlugin(_ root: String, ipMasq: Bool = true) -> String {
        """
        {"type":"bridge","bridge":"cnisw0","isGateway":true,"ipMasq":\(ipMasq),"hairpinMode":true,"mtu":1450,
         "ipam":{"type":"host-local","ranges":[[{"subnet":"10.91.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}],"dataDir":"\(root)/ipam"}}
        """
    }

    func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix("last_reserved_ip") && $0 != "lock" }
    }

    /// Links the node to an "upstream" namespace: node 192.168.91.1/24, upstream 192.168.91.2/24.
    func connectUpstream(node: NetworkNamespace, upstream: NetworkNamespace) throws {
        let nodeSocket = try NetlinkSocket(in: node)
        let create = NetlinkBatch()
        try create.createVethPair(name: "up0", peerName: "eth0", peerNamespace: upstream)
        try nodeSocket.execute(create)
        let nodeLink = try #require(try nodeSocket.link(named: "up0"))
        let nodeSide = NetlinkBatch()
        try nodeSide.addAddress(IPNetwork("192.168.91.1/24")!, interfaceIndex: nodeLink.index)
        try nodeSocket.execute(nodeSide)
        let upstreamSocket = try NetlinkSocket(in: upstream)
        let link = try #require(try upstreamSocket.link(named: "eth0"))
        let upstreamSide = NetlinkBatch()
        try upstreamSide.setLink(index: link.index, .init(up: true))
        try upstreamSide.setLink(name: "lo", .init(up: true))
        try upstreamSide.addAddress(IPNetwork("192.168.91.2/24")!, interfaceIndex: link.index)
        try upstreamSocket.execute(upstreamSide)
    }

    @Test func podsGetTheSameConnectivityThroughReferencePluginsAsThroughTheBuiltIn() async throws {
        try await withNamespaces(["node", "pod1", "pod2", "up"]) { spaces in
            let (node, pod1, pod2, upstream) = (spaces[0], spaces[1], spaces[2], spaces[3])
            try connectUpstream(node: node, upstream: upstream)
            let setup = try makeSetup(node: node) { root in
                Self.bridgePlugin(root) + #",{"type":"loopback"},{"type":"portmap","capabilities":{"portMappings":true},"snat":true}"#
            }
            let plugin = CNINetwork(configuration: setup.configuration)
            try await plugin.start(liveSandboxes: [])
            let first = PodNetworkRequest(sandboxID: "cni-a", namespacePath: pod1.path, podReference: "default/a",
                                          portMappings: [HostPortMapping(hostPort: 8080, containerPort: 80)])
            let a = try await plugin.add(first)
            let b = try await plugin.add(PodNetworkRequest(sandboxID: "cni-b", namespacePath: pod2.path, podReference: "default/b"))
            #expect(a.podIPs == [IPAddress("10.91.0.2")!] && b.podIPs == [IPAddress("10.91.0.3")!])
            let gateway = try #require(a.addresses.first?.gateway)
            #expect(gateway == IPAddress("10.91.0.1"))

            #expect(try Probe.ping(from: pod1, to: b.podIPs[0]))
            #expect(try Probe.ping(from: pod2, to: gateway))
            #expect(try Probe.tcp(from: pod1, to: b.podIPs[0], port: 8080, servedFrom: pod2).reached)
            #expect(try Probe.tcp(from: node, to: a.podIPs[0], port: 8081, servedFrom: pod1).reached)
            #expect(try NetlinkSocket(in: pod1).link(named: "lo")?.isUp == true)
            // Egress masquerade (bridge ipMasq): the upstream sees the node's address.
            let egress = try Probe.tcp(from: pod1, to: IPAddress("192.168.91.2")!, port: 7000, servedFrom: upstream)
            #expect(egress.reached && egress.peer == IPAddress("192.168.91.1"))
            // hostPort through portmap's runtimeConfig.
            #expect(try Probe.tcp(from: upstream, to: IPAddress("192.168.91.1")!, port: 8080, servedFrom: pod1, listeningOn: 80).reached)

            // CHECK is exercised on a chain without portmap (agentRestart... below): Debian's portmap
            // 1.1.1 CHECK looks for its IPv6 chain even for an IPv4-only pod and fails.
            let status = try await plugin.status()
            #expect(status.leases.map(\.podReference) == ["default/a", "default/b"])
            #expect(status.bridge == "cnisw0")

            try await plugin.delete(first)
            try await plugin.delete(PodNetworkRequest(sandboxID: "cni-b", namespacePath: pod2.path))
            #expect(try NetlinkSocket(in: node).links().filter { $0.kind == "veth" }.map(\.name) == ["up0"])
            #expect(try NetlinkSocket(in: pod1).link(named: "eth0") == nil)
            #expect(files(in: setup.root + "/ipam/swt-cni").isEmpty)
            #expect(files(in: setup.root + "/cache/results/swt-cni").isEmpty)
            #expect(try !Probe.tcp(from: upstream, to: IPAddress("192.168.91.1")!, port: 8080, servedFrom: pod1, listeningOn: 80).reached)
            try await plugin.delete(first)
        }
    }

    @Test func checkPassesAfterAddAndAgentRestartRunsDelForSandboxesThatAreGone() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let setup = try makeSetup(node: spaces[0]) { Self.bridgePlugin($0, ipMasq: false) }
            let before = CNINetwork(configuration: setup.configuration)
            try await before.start(liveSandboxes: [])
            let lost = PodNetworkRequest(sandboxID: "lost", namespacePath: spaces[1].path)
            _ = try await before.add(lost)
            try await before.check(lost)
            let after = CNINetwork(configuration: setup.configuration)
            try await after.start(liveSandboxes: [])
            #expect(try NetlinkSocket(in: spaces[1]).link(named: "eth0") == nil)
            #expect(files(in: setup.root + "/ipam/swt-cni").isEmpty)
            #expect(try await after.status().leases.isEmpty)
        }
    }

    @Test func missingPluginBinaryIsAClearErrorAndNothingRuns() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let setup = try makeSetup(node: spaces[0]) { Self.bridgePlugin($0, ipMasq: false) + #",{"type":"no-such-plugin"}"# }
            let plugin = CNINetwork(configuration: setup.configuration)
            try await plugin.start(liveSandboxes: [])
            await #expect(throws: PodNetworkError.pluginNotFound(type: "no-such-plugin", searched: setup.configuration.binaryDirectories)) {
                try await plugin.add(PodNetworkRequest(sandboxID: "x", namespacePath: spaces[1].path))
            }
            #expect(try NetlinkSocket(in: spaces[0]).link(named: "cnisw0") == nil)
            #expect(try NetlinkSocket(in: spaces[1]).link(named: "eth0") == nil)
        }
    }

    @Test func pluginErrorResultIsReportedAndTheChainIsUndone() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let failing = """
                #!/bin/sh
                cat >/dev/null
                if [ "$CNI_COMMAND" = ADD ]; then
                  echo '{"cniVersion":"1.0.0","code":7,"msg":"invalid network config","details":"field foo"}'
                  exit 1
                fi
                exit 0
                """
            let setup = try makeSetup(node: spaces[0], plugins: { Self.bridgePlugin($0, ipMasq: false) + #",{"type":"refuse"}"# },
                                      extraBinaries: ["refuse": failing])
            let plugin = CNINetwork(configuration: setup.configuration)
            try await plugin.start(liveSandboxes: [])
            let expected = PodNetworkError.pluginFailed(type: "refuse", command: "ADD", code: 7, message: "invalid network config", details: "field foo")
            await #expect(throws: expected) {
                try await plugin.add(PodNetworkRequest(sandboxID: "y", namespacePath: spaces[1].path))
            }
            #expect(expected.description == "CNI plugin \"refuse\" ADD failed with code 7: invalid network config (field foo)")
            #expect(try NetlinkSocket(in: spaces[1]).link(named: "eth0") == nil)
            #expect(try NetlinkSocket(in: spaces[0]).links().filter { $0.kind == "veth" }.isEmpty)
            #expect(files(in: setup.root + "/ipam/swt-cni").isEmpty)
            #expect(files(in: setup.root + "/cache/results/swt-cni").isEmpty)
        }
    }
}

@Suite struct CNIConfigurationListTests {
    @Test func unknownVersionIsRejectedNamingFileAndField() {
        let data = Data(#"{"cniVersion":"9.9.9","name":"n","plugins":[{"type":"bridge"}]}"#.utf8)
        #expect(throws: PodNetworkError.invalidConfiguration(
            source: "/etc/cni/net.d/10-x.conflist", field: "cniVersion",
            expected: "one of 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0, got \"9.9.9\"")) {
            try CNIConfigurationList(data: data, source: "/etc/cni/net.d/10-x.conflist")
        }
    }

    @Test func cniVersionsListPicksTheNewestSupported() throws {
        let data = Data(#"{"cniVersion":"1.0.0","cniVersions":["0.4.0","1.1.0","2.0.0"],"name":"n","plugins":[{"type":"bridge"}]}"#.utf8)
        #expect(try CNIConfigurationList(data: data, source: "f").cniVersion == "1.1.0")
    }

    @Test func singlePluginConfIsAListOfOne() throws {
        let data = Data(#"{"cniVersion":"0.4.0","name":"n","type":"bridge","bridge":"b0"}"#.utf8)
        let list = try CNIConfigurationList(data: data, source: "f")
        #expect(list.pluginTypes == ["bridge"])
    }

    @Test func pluginWithoutTypeIsRejectedWithItsIndex() {
        let data = Data(#"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"},{"mtu":1}]}"#.utf8)
        #expect(throws: PodNetworkError.invalidConfiguration(source: "f", field: "plugins[1].type", expected: "a plugin name without '/'")) {
            try CNIConfigurationList(data: data, source: "f")
        }
    }
}
