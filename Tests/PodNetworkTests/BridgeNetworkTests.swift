import CSwiftletNet
import Glibc
import Netlink
@testable import PodNetwork
import TestSupport
import Testing

/// The built-in plugin against the real kernel: a "node" namespace holding the bridge and pod
/// namespaces, all created by the test and deleted afterwards.
@Suite(.serialized, .requires(.root))
final class BridgeNetworkTests {
    /// The state directories this test made, removed when the test ends, passed or failed (Swift
    /// Testing makes one instance per test and releases it afterwards).
    private let directories = TemporaryDirectories(prefix: "swiftlet-net")

    /// A plugin whose bridge lives in `node`, with state in a fresh temporary directory.
    func makePlugin(node: NetworkNamespace, cidrs: [String], state: String, firewall: RecordingFirewall = RecordingFirewall()) throws -> BridgeNetwork {
        let configuration = BridgeNetworkConfiguration(
            bridgeName: "swt0", podCIDRs: cidrs.compactMap { IPNetwork($0) }, mtu: 1450,
            stateDirectory: state, nodeNamespacePath: node.path)
        return try BridgeNetwork(configuration: configuration, firewall: firewall)
    }

    func temporaryDirectory() throws -> String {
        try directories.make()
    }

    /// The addresses the lease journal on disk holds (what a restarted agent would load).
    func leaseFiles(_ state: String) throws -> [String] {
        let journal = state + "/swt0/leases.journal"
        guard access(journal, F_OK) == 0 else { return [] }
        return try HostLocalIPAM.replay(readFile(journal)).keys.sorted().map(\.description)
    }

    @Test func twoPodsReachEachOtherAndTheNodeOverTCPAndICMP() async throws {
        try await withNamespaces(["node", "pod1", "pod2"]) { spaces in
            let (node, pod1, pod2) = (spaces[0], spaces[1], spaces[2])
            let firewall = RecordingFirewall()
            let plugin = try makePlugin(node: node, cidrs: ["10.77.0.0/24"], state: try temporaryDirectory(), firewall: firewall)
            try await plugin.start(liveSandboxes: [])
            let a = try await plugin.add(PodNetworkRequest(sandboxID: "sandbox-a", namespacePath: pod1.path, podReference: "default/a"))
            let b = try await plugin.add(PodNetworkRequest(sandboxID: "sandbox-b", namespacePath: pod2.path, podReference: "default/b"))
            #expect(a.podIPs == [IPAddress("10.77.0.2")!])
            #expect(b.podIPs == [IPAddress("10.77.0.3")!])
            #expect(a.addresses.first?.gateway == IPAddress("10.77.0.1"))
            let gateway = IPAddress("10.77.0.1")!

            #expect(try Probe.ping(from: pod1, to: b.podIPs[0]))
            #expect(try Probe.ping(from: pod2, to: a.podIPs[0]))
            #expect(try Probe.ping(from: pod1, to: gateway))
            // The probe can fail: nobody holds this address.
            #expect(try !Probe.ping(from: pod1, to: IPAddress("10.77.0.250")!))
            #expect(try Probe.tcp(from: pod1, to: b.podIPs[0], port: 8080, servedFrom: pod2).reached)
            let fromNode = try Probe.tcp(from: node, to: a.podIPs[0], port: 8081, servedFrom: pod1)
            #expect(fromNode.reached && fromNode.peer == gateway)
            #expect(try Probe.tcp(from: pod2, to: gateway, port: 8082, servedFrom: node).reached)

            let masquerade = await firewall.masquerade
            #expect(masquerade?.cidrs == [IPNetwork("10.77.0.0/24")!] && masquerade?.bridge == "swt0")
            let eth0 = try #require(try NetlinkSocket(in: pod1).link(named: "eth0"))
            #expect(eth0.mtu == 1450 && eth0.mac == a.interfaces[1].mac)
            #expect(eth0.transmitQueues == 1 && eth0.receiveQueues == 1)
            #expect(try NetlinkSocket(in: pod1).link(named: "lo")?.isUp == true)
            let host = try #require(try NetlinkSocket(in: node).link(named: a.interfaces[0].name))
            #expect(host.hairpin == true)
        }
    }

    @Test func dualStackPodsReachEachOtherOverIPv6WithoutWaitingForDAD() async throws {
        try await withNamespaces(["node", "pod1", "pod2"]) { spaces in
            let (node, pod1, pod2) = (spaces[0], spaces[1], spaces[2])
            let plugin = try makePlugin(node: node, cidrs: ["10.78.0.0/24", "fd00:78::/64"], state: try temporaryDirectory())
            try await plugin.start(liveSandboxes: [])
            let a = try await plugin.add(PodNetworkRequest(sandboxID: "a", namespacePath: pod1.path))
            let b = try await plugin.add(PodNetworkRequest(sandboxID: "b", namespacePath: pod2.path))
            #expect(a.podIPs == [IPAddress("10.78.0.2")!, IPAddress("fd00:78::2")!])
            #expect(b.podIPs == [IPAddress("10.78.0.3")!, IPAddress("fd00:78::3")!])
            #expect(try Sysctl.read("net/ipv6/conf/eth0/accept_dad", in: pod1) == "0")
            // The pod's own address goes on with IFA_F_NODAD, so it is usable at once. The
            // link-local one is completed by the kernel's addrconf worker without a DAD probe
            // (accept_dad=0), which on a loaded machine may run a moment after ADD returns.
            func tentative() throws -> [InterfaceAddress] {
                try NetlinkSocket(in: pod1).addresses(family: AF_INET6).filter { $0.flags & UInt32(IFA_F_TENTATIVE) != 0 }
            }
            #expect(try tentative().allSatisfy { $0.address.address != a.podIPs[1] })
            var waited = 0
            while try !tentative().isEmpty, waited < 5000 {
                usleep(10_000)
                waited += 10
            }
            #expect(try tentative().isEmpty, "link-local still tentative after 5 s")
            #expect(try Probe.ping(from: pod1, to: b.podIPs[1]))
            #expect(try Probe.ping(from: pod2, to: IPAddress("fd00:78::1")!))
            #expect(try Probe.tcp(from: pod1, to: b.podIPs[1], port: 9000, servedFrom: pod2).reached)
            #expect(try Probe.tcp(from: pod2, to: a.podIPs[0], port: 9001, servedFrom: pod1).reached)
            try await plugin.check(PodNetworkRequest(sandboxID: "a", namespacePath: pod1.path))
        }
    }

    @Test func addTwiceGivesTheSameResultAndCheckPasses() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let plugin = try makePlugin(node: spaces[0], cidrs: ["10.79.0.0/24"], state: try temporaryDirectory())
            try await plugin.start(liveSandboxes: [])
            let request = PodNetworkRequest(sandboxID: "twice", namespacePath: spaces[1].path)
            let first = try await plugin.add(request)
            let second = try await plugin.add(request)
            #expect(first == second)
            try await plugin.check(request)
            let status = try await plugin.status()
            #expect(status.leases.map(\.address) == first.podIPs)
            #expect(status.bridge == "swt0" && status.gateways == [IPAddress("10.79.0.1")!])
        }
    }

    @Test func deleteLeavesNoLinkAddressRouteHostPortOrLease() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let (node, pod) = (spaces[0], spaces[1])
            let state = try temporaryDirectory()
            let firewall = RecordingFirewall()
            let plugin = try makePlugin(node: node, cidrs: ["10.80.0.0/24", "fd00:80::/64"], state: state, firewall: firewall)
            try await plugin.start(liveSandboxes: [])
            let nodeSocket = try NetlinkSocket(in: node)
            let linksBefore = try nodeSocket.links().map(\.name)
            let request = PodNetworkRequest(sandboxID: "gone", namespacePath: pod.path,
                                            portMappings: [HostPortMapping(hostPort: 8080, containerPort: 80)])
            let result = try await plugin.add(request)
            #expect(await firewall.hostPorts["gone"]?.podIPs == result.podIPs)
            #expect(try leaseFiles(state).count == 2)

            try await plugin.delete(request)
            #expect(try nodeSocket.links().map(\.name) == linksBefore)
            let podSocket = try NetlinkSocket(in: pod)
            #expect(try podSocket.link(named: "eth0") == nil)
            #expect(try podSocket.addresses().allSatisfy { $0.address.address == IPAddress("127.0.0.1") || $0.address.address == IPAddress("::1") })
            #expect(try podSocket.routes(family: AF_INET).allSatisfy { !$0.isDefault })
            #expect(await firewall.hostPorts.isEmpty)
            #expect(try leaseFiles(state).isEmpty)
            #expect(try await plugin.status().leases.isEmpty)
            try await plugin.delete(request)
        }
    }

    @Test func failedAddLeavesNoHalfStateAndDeleteOfUnknownSandboxSucceeds() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let state = try temporaryDirectory()
            let firewall = RecordingFirewall()
            await firewall.setFailAddHostPorts(true)
            let plugin = try makePlugin(node: spaces[0], cidrs: ["10.81.0.0/24"], state: state, firewall: firewall)
            try await plugin.start(liveSandboxes: [])
            let linksBefore = try NetlinkSocket(in: spaces[0]).links().map(\.name)
            let request = PodNetworkRequest(sandboxID: "half", namespacePath: spaces[1].path,
                                            portMappings: [HostPortMapping(hostPort: 8080, containerPort: 80)])
            await #expect(throws: RecordingFirewall.Failure.self) { try await plugin.add(request) }
            #expect(try NetlinkSocket(in: spaces[0]).links().map(\.name) == linksBefore)
            #expect(try NetlinkSocket(in: spaces[1]).link(named: "eth0") == nil)
            #expect(try leaseFiles(state).isEmpty)
            try await plugin.delete(PodNetworkRequest(sandboxID: "never-added", namespacePath: ""))
        }
    }

    @Test func crashBetweenAddAndItsRecordIsCleanedUpAtNextStart() async throws {
        try await withNamespaces(["node", "pod1", "pod2"]) { spaces in
            let state = try temporaryDirectory()
            let firewall = RecordingFirewall()
            let before = try makePlugin(node: spaces[0], cidrs: ["10.82.0.0/24"], state: state, firewall: firewall)
            try await before.start(liveSandboxes: [])
            let kept = PodNetworkRequest(sandboxID: "recorded", namespacePath: spaces[1].path)
            _ = try await before.add(kept)
            _ = try await before.add(PodNetworkRequest(sandboxID: "unrecorded", namespacePath: spaces[2].path,
                                                       portMappings: [HostPortMapping(hostPort: 9090, containerPort: 90)]))
            // The agent dies here; the runtime only recorded the first sandbox.
            let after = try makePlugin(node: spaces[0], cidrs: ["10.82.0.0/24"], state: state, firewall: firewall)
            try await after.start(liveSandboxes: ["recorded"])
            #expect(try await after.status().leases.map(\.sandboxID) == ["recorded"])
            #expect(try NetlinkSocket(in: spaces[2]).link(named: "eth0") == nil)
            #expect(await firewall.hostPorts.isEmpty)
            #expect(try leaseFiles(state) == ["10.82.0.2"])
            try await after.check(kept)
        }
    }

    @Test func exhaustedRangeIsAClearErrorWithNothingLeftBehind() async throws {
        try await withNamespaces(["node", "p1", "p2", "p3", "p4", "p5", "p6"]) { spaces in
            let state = try temporaryDirectory()
            let plugin = try makePlugin(node: spaces[0], cidrs: ["10.83.0.0/29"], state: state)
            try await plugin.start(liveSandboxes: [])
            for (index, space) in spaces[1...5].enumerated() {
                _ = try await plugin.add(PodNetworkRequest(sandboxID: "s\(index)", namespacePath: space.path))
            }
            await #expect(throws: PodNetworkError.addressRangeExhausted(range: IPNetwork("10.83.0.0/29")!)) {
                try await plugin.add(PodNetworkRequest(sandboxID: "s6", namespacePath: spaces[6].path))
            }
            #expect(try NetlinkSocket(in: spaces[6]).link(named: "eth0") == nil)
            #expect(try leaseFiles(state).count == 5)
            #expect(PodNetworkError.addressRangeExhausted(range: IPNetwork("10.83.0.0/29")!).description == "no free address left in 10.83.0.0/29")
        }
    }

    @Test func readinessNeedsAStartedPluginADownBridgeIsNotReadyAndARemovedLeaseJournalIsNotReady() async throws {
        try await withNamespaces(["node"]) { spaces in
            let state = try temporaryDirectory()
            let plugin = try makePlugin(node: spaces[0], cidrs: ["10.84.0.0/24"], state: state)
            await #expect(throws: PodNetworkError.notReady(network: "swt0", reason: "the plugin has not started")) { try await plugin.ready() }
            try await plugin.start(liveSandboxes: [])
            try await plugin.ready()

            let socket = try NetlinkSocket(in: spaces[0])
            let bridge = try #require(try socket.link(named: "swt0"))
            let down = NetlinkBatch()
            try down.setLink(index: bridge.index, .init(up: false))
            try socket.execute(down)
            await #expect(throws: PodNetworkError.notReady(network: "swt0", reason: "bridge swt0 is down")) { try await plugin.ready() }
            let up = NetlinkBatch()
            try up.setLink(index: bridge.index, .init(up: true))
            try socket.execute(up)
            try await plugin.ready()

            #expect(unlink(state + "/swt0/leases.journal") == 0 && rmdir(state + "/swt0") == 0)
            let error = await #expect(throws: PodNetworkError.self) { try await plugin.ready() }
            #expect(error?.description == "network swt0 is not ready: address leases cannot be recorded: "
                    + state + "/swt0/leases.journal: No such file or directory (errno 2)")
        }
    }
}
