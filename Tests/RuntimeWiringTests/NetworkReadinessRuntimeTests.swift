// The runtime's view of its pod network at open and in CRI status: a failed garbage collection
// of the network at open is logged and the runtime opens; NetworkReady carries what the plugin's
// readiness check (CNI 1.1 STATUS, or the bridge's own) says, as containerd reports it.

import ContainerRuntime
import NativeRuntime
import Netlink
import PodNetwork
import RuntimeWiring
import TestSupport
import Testing

@Suite("Runtime network readiness and GC at open", .serialized,
       .requires(.root, .path("/usr/lib/cni/bridge"), .path("/usr/lib/cni/host-local")))
struct NetworkReadinessRuntimeTests {
    /// Debian's plugins speak CNI up to 1.0.0 and reject GC and STATUS: with a 1.1.0 conflist the
    /// GC at open fails and STATUS fails afterwards.
    @Test func aFailedCNIGCAtOpenIsLoggedTheRuntimeOpensAndNetworkReadyCarriesTheStatusError() async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            var node: NodeRuntime?
            do {
                let cni = try fixture.cniNetwork(version: "1.1.0", name: "swt-ready", bridge: "cnir0", subnet: "10.93.0.0/24",
                                                 node: spaces[0].path)
                let opened = try await fixture.open(network: .cni(cni))
                node = opened
                let failure = try #require(await opened.attachment?.garbageCollectionFailure)
                guard case .garbageCollectionFailed(let network, let reason) = failure else {
                    Issue.record("expected a failed garbage collection, got \(failure)")
                    return
                }
                #expect(network == "swt-ready" && reason.contains(#"CNI plugin "bridge" GC failed"#))

                let condition = try #require(try await opened.runtime.status().condition(RuntimeCondition.networkReady))
                #expect(!condition.status && condition.reason == "NetworkPluginNotReady")
                #expect(condition.message.hasPrefix("Network plugin returns error: "))
                #expect(condition.message.contains(#"CNI plugin "bridge" STATUS failed"#), "message: \(condition.message)")
            } catch {
                await fixture.tearDown(node)
                throw error
            }
            await fixture.tearDown(node)
        }
    }

    @Test func theBridgePluginIsNetworkReadyUntilItsBridgeIsDeleted() async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            let table = "swiftlet-t-\(UInt32.random(in: 0...UInt32.max))"
            var node: NodeRuntime?
            do {
                let bridge = BridgeNetworkConfiguration(
                    bridgeName: "swtr0", podCIDRs: [IPNetwork("10.94.0.0/24")!], stateDirectory: fixture.networkState,
                    nodeNamespacePath: spaces[0].path)
                let opened = try await fixture.open(network: .bridge(bridge, firewallTable: table))
                node = opened
                let ready = try #require(try await opened.runtime.status().condition(RuntimeCondition.networkReady))
                #expect(ready.status && ready.reason.isEmpty && ready.message.isEmpty)

                let socket = try NetlinkSocket(in: spaces[0])
                let link = try #require(try socket.link(named: "swtr0"))
                let batch = NetlinkBatch()
                try batch.deleteLink(name: link.name)
                try socket.execute(batch)
                let gone = try #require(try await opened.runtime.status().condition(RuntimeCondition.networkReady))
                #expect(!gone.status && gone.reason == "NetworkPluginNotReady")
                #expect(gone.message == "Network plugin returns error: network swtr0 is not ready: bridge swtr0 is missing")
            } catch {
                await fixture.tearDown(node)
                throw error
            }
            await fixture.tearDown(node)
        }
    }
}
