// The native runtime on the pod network: sandboxes get their IPs from the bridge plugin (whose
// "node" is a network namespace the test creates), reach each other over TCP, publish their
// hostPorts through the nftables firewall, and give everything back when stopped.

import ContainerRuntime
import Foundation
import Images
import NativeRuntime
import Netlink
import PodNetwork
import RuntimeWiring
import TestSupport
import Testing

@Suite("Runtime on the pod network", .serialized, .requires(.root, .command("tar"), .path("/usr/bin/busybox")))
struct PodNetworkRuntimeTests {
    static let tag = "registry.test/busybox:net"

    @Test func twoPodsReachEachOtherOverTCPAndReleaseTheirIPsWhenStopped() async throws {
        try await withNamespaces(["node"]) { spaces in
            let nodeNamespace = spaces[0]
            let fixture = try WiringFixture()
            let table = "swiftlet-t-\(UInt32.random(in: 0...UInt32.max))"
            var node: NodeRuntime?
            do {
                _ = try await fixture.importBusybox(tag: Self.tag, defaults: ContainerDefaults(env: ["PATH=/bin"], cmd: ["sh"]))
                let bridge = BridgeNetworkConfiguration(
                    bridgeName: "swtw0", podCIDRs: [IPNetwork("10.79.0.0/24")!], stateDirectory: fixture.networkState,
                    nodeNamespacePath: nodeNamespace.path)
                let opened = try await fixture.open(network: .bridge(bridge, firewallTable: table))
                node = opened
                let runtime = opened.runtime
                let plugin = try #require(opened.plugin)
                #expect(await opened.network.isReady())

                let serverConfig = fixture.sandboxConfig(
                    "server", portMappings: [PortMapping(containerPort: 8080, hostPort: 18080)])
                let server = try await runtime.runPodSandbox(serverConfig, runtimeHandler: "")
                let serverStatus = try await runtime.podSandboxStatus(id: server)
                let serverIP = try #require(IPAddress(serverStatus.ip))
                #expect(IPNetwork("10.79.0.0/24")!.contains(serverIP))
                #expect(serverStatus.additionalIPs.isEmpty)
                let httpd = try await runtime.createContainer(
                    podSandboxID: server,
                    config: ContainerConfig(
                        metadata: ContainerMetadata(name: "httpd"), image: ImageSpec(Self.tag),
                        command: ["sh", "-c", "mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 8080 -h /www"],
                        logPath: "httpd/0.log"),
                    sandboxConfig: serverConfig)
                try await runtime.startContainer(id: httpd)

                let clientConfig = fixture.sandboxConfig("client")
                let client = try await runtime.runPodSandbox(clientConfig, runtimeHandler: "")
                let clientIP = try await runtime.podSandboxStatus(id: client).ip
                #expect(!clientIP.isEmpty && clientIP != serverStatus.ip)
                let fetch = try await runtime.createContainer(
                    podSandboxID: client,
                    config: ContainerConfig(
                        metadata: ContainerMetadata(name: "fetch"), image: ImageSpec(Self.tag),
                        // busybox nc, not wget: Debian's static busybox wget dies of SIGSEGV in a bare rootfs (chroot too).
                        command: ["sh", "-c", """
                            for i in $(seq 1 40); do
                              printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 \(serverIP) 8080 > /tmp/out && grep -q pong /tmp/out && tail -n 1 /tmp/out && exit 0
                              sleep 0.1
                            done
                            exit 1
                            """],
                        logPath: "fetch/0.log"),
                    sandboxConfig: clientConfig)
                try await runtime.startContainer(id: fetch)
                let fetched = try await WiringFixture.waitUntilExited(runtime, fetch, seconds: 30)
                let fetchLog = try fixture.logText(clientConfig, "fetch/0.log")
                let serverLog = (try? fixture.logText(serverConfig, "httpd/0.log")) ?? []
                #expect(fetched.exitCode == 0, "client log: \(fetchLog), server log: \(serverLog)")
                #expect(fetchLog == ["pong"])

                // Both addresses are leased to their sandboxes; the hostPort reached the firewall.
                let leases = try await plugin.status().leases
                #expect(Set(leases.map(\.sandboxID)) == [server, client])
                #expect(leases.first { $0.sandboxID == server }?.address == serverIP)
                let firewall = try NFTablesPodNetworkFirewall(tableName: table, networkNamespace: nodeNamespace.path)
                #expect(try await firewall.sandboxesWithHostPorts() == [server])

                try await runtime.stopPodSandbox(id: server)
                #expect(try await plugin.status().leases.map(\.sandboxID) == [client])
                #expect(try await firewall.sandboxesWithHostPorts().isEmpty)
                try await runtime.removePodSandbox(id: server)
                try await runtime.removePodSandbox(id: client)
                #expect(try await plugin.status().leases.isEmpty)
            } catch {
                await fixture.tearDown(node)
                throw error
            }
            await fixture.tearDown(node)
        }
    }

    @Test(.requires(.path("/usr/lib/cni/bridge"), .path("/usr/lib/cni/host-local")))
    func cniModeGivesTheSandboxAnAddressFromTheConflistAndReleasesIt() async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            var node: NodeRuntime?
            do {
                let cni = try fixture.cniNetwork(version: "1.0.0", name: "swt-wiring", bridge: "cniw0", subnet: "10.92.0.0/24",
                                                 node: spaces[0].path)
                let opened = try await fixture.open(network: .cni(cni))
                node = opened
                let config = fixture.sandboxConfig("cni-pod")
                let sandbox = try await opened.runtime.runPodSandbox(config, runtimeHandler: "")
                let ip = try #require(IPAddress(try await opened.runtime.podSandboxStatus(id: sandbox).ip))
                #expect(IPNetwork("10.92.0.0/24")!.contains(ip))
                let leases = try await #require(opened.plugin).status().leases
                #expect(leases.map(\.sandboxID) == [sandbox] && leases.first?.address == ip)
                try await opened.runtime.removePodSandbox(id: sandbox)
                #expect(try await #require(opened.plugin).status().leases.isEmpty)
            } catch {
                await fixture.tearDown(node)
                throw error
            }
            await fixture.tearDown(node)
        }
    }
}
