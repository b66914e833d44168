import Netlink
import PodNetwork
import Testing

@Suite struct BridgeNetworkConfigurationTests {
    @Test func overlappingCIDRsAreRejectedNamingTheField() {
        let configuration = BridgeNetworkConfiguration(podCIDRs: [IPNetwork("10.0.0.0/16")!, IPNetwork("10.0.3.0/24")!], source: "/etc/swiftlet/config.yaml")
        #expect(throws: PodNetworkError.invalidConfiguration(source: "/etc/swiftlet/config.yaml", field: "podCIDRs[1]",
                                                             expected: "a range not overlapping 10.0.0.0/16, got 10.0.3.0/24")) {
            try configuration.validate()
        }
    }

    @Test func twoCIDRsOfOneFamilyAreNotDualStack() {
        let configuration = BridgeNetworkConfiguration(podCIDRs: [IPNetwork("10.0.0.0/24")!, IPNetwork("10.1.0.0/24")!])
        #expect(throws: PodNetworkError.self) { try configuration.validate() }
    }

    @Test func rangeTooSmallForGatewayAndPodsIsRejected() {
        let configuration = BridgeNetworkConfiguration(podCIDRs: [IPNetwork("10.0.0.0/31")!])
        #expect(throws: PodNetworkError.self) { try configuration.validate() }
    }

    @Test func longBridgeNameIsRejected() {
        let configuration = BridgeNetworkConfiguration(bridgeName: "a-very-long-bridge-name", podCIDRs: [IPNetwork("10.0.0.0/24")!])
        #expect(throws: PodNetworkError.self) { try configuration.validate() }
    }

    @Test func zeroVethQueuesIsRejectedNamingTheField() {
        let configuration = BridgeNetworkConfiguration(podCIDRs: [IPNetwork("10.0.0.0/24")!], vethQueues: 0, source: "node.yaml")
        #expect(throws: PodNetworkError.invalidConfiguration(source: "node.yaml", field: "vethQueues", expected: "1 to 4096, got 0")) {
            try configuration.validate()
        }
        #expect(BridgeNetworkConfiguration(podCIDRs: [IPNetwork("10.0.0.0/24")!]).vethQueues == 1)
    }

    @Test func dualStackWithDefaultsIsValid() throws {
        try BridgeNetworkConfiguration(podCIDRs: [IPNetwork("10.244.1.0/24")!, IPNetwork("fd00:10:244:1::/64")!]).validate()
    }

    @Test func hostInterfaceNamesAreStableShortAndDistinct() {
        let a = BridgeNetwork.hostInterfaceName(sandboxID: "abc", interfaceName: "eth0")
        #expect(a == BridgeNetwork.hostInterfaceName(sandboxID: "abc", interfaceName: "eth0"))
        #expect(a != BridgeNetwork.hostInterfaceName(sandboxID: "abd", interfaceName: "eth0"))
        #expect(a.utf8.count == 15 && a.hasPrefix("veth"))
        // The name of a sandbox's veth outlives the agent binary (reconciliation finds it by
        // name after an upgrade): FNV-1a 64 of "abc/eth0" is 0x561a69de51a..., its first 11 hex digits.
        #expect(a == "veth561a69de51a")
    }
}
