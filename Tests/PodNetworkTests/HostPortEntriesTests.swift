import Netlink
import NFTables
@testable import PodNetwork
import Testing

/// How host port mappings become map and set elements, without a kernel.
struct HostPortEntriesTests {
    let v4 = IPAddress("10.70.0.2")!
    let v6 = IPAddress("fd00:70::2")!

    func sets(_ entries: [NFTablesPodNetworkFirewall.EntryKey: NFTablesPodNetworkFirewall.Entry]) -> [String: Int] {
        entries.values.reduce(into: [:]) { $0[$1.set.name, default: 0] += 1 }
    }

    @Test func eachMappingIsPublishedOncePerPodAddressFamilyWithOneHairpinPerAddress() throws {
        let entries = try NFTablesPodNetworkFirewall.entries(
            for: [HostPortMapping(hostPort: 80, containerPort: 8080), HostPortMapping(hostPort: 53, containerPort: 53, protocol: .udp)],
            sandboxID: "s", podIPs: [v4, v6])
        #expect(sets(entries) == ["hostports-ip4": 2, "hostports-ip6": 2, "hairpin-ip4": 1, "hairpin-ip6": 1])
        #expect(entries.values.allSatisfy { $0.element.comment == "s" })
        let tcp = try #require(entries.values.first { $0.set == .hostPortsIPv4 && $0.element.key[0] == NFValue.tcp })
        // inet_proto . inet_service → ipv4_addr . inet_service, each part in a 4-byte register.
        #expect(tcp.element.key == [6, 0, 0, 0, 0, 80, 0, 0])
        #expect(tcp.element.value == .data([10, 70, 0, 2, 0x1f, 0x90, 0, 0]))
    }

    @Test func hostIPOfTheOtherFamilyIsSkippedAndAnUnspecifiedOneMeansEveryAddress() throws {
        let entries = try NFTablesPodNetworkFirewall.entries(
            for: [HostPortMapping(hostPort: 443, containerPort: 443, hostIP: IPAddress("192.168.1.10")),
                  HostPortMapping(hostPort: 8080, containerPort: 80, hostIP: IPAddress("::"))],
            sandboxID: "s", podIPs: [v4, v6])
        #expect(sets(entries) == ["hostip-hostports-ip4": 1, "hostports-ip6": 1, "hairpin-ip4": 1, "hairpin-ip6": 1])
        let bound = try #require(entries.values.first { $0.set == .hostIPPortsIPv4 })
        #expect(HostPortSet.hostIPPortsIPv4.describe(bound.element) == "192.168.1.10 tcp/443")
    }

    @Test func zeroPortAndOneHostPortMappedTwiceAreRejectedNamingTheMapping() {
        #expect(throws: PodNetworkError.invalidRequest(field: "portMappings[0]", expected: "hostPort and containerPort from 1 to 65535")) {
            try NFTablesPodNetworkFirewall.entries(for: [HostPortMapping(hostPort: 0, containerPort: 80)], sandboxID: "s", podIPs: [v4])
        }
        #expect(throws: PodNetworkError.invalidRequest(field: "portMappings[1]", expected: "a host port not mapped twice, but tcp/80 is")) {
            try NFTablesPodNetworkFirewall.entries(
                for: [HostPortMapping(hostPort: 80, containerPort: 80), HostPortMapping(hostPort: 80, containerPort: 81)],
                sandboxID: "s", podIPs: [v4])
        }
    }

    @Test func sandboxIDLongerThanAnElementCommentIsRejected() {
        #expect(throws: PodNetworkError.self) {
            try NFTablesPodNetworkFirewall.validate(sandboxID: String(repeating: "a", count: NFElement.maximumCommentLength + 1))
        }
        #expect(throws: Never.self) {
            try NFTablesPodNetworkFirewall.validate(sandboxID: String(repeating: "a", count: 64))
        }
    }

    @Test func egressMasqueradeMatchesTheCIDRByMaskAndPadsTheBridgeName() {
        #expect(NFTablesPodNetworkFirewall.prefixMask(length: 20, bytes: 4) == [255, 255, 240, 0])
        #expect(NFTablesPodNetworkFirewall.prefixMask(length: 64, bytes: 16) == [UInt8](repeating: 255, count: 8) + [UInt8](repeating: 0, count: 8))
        let rule = NFTablesPodNetworkFirewall.egressMasquerade(from: IPNetwork("10.70.0.0/16")!, bridge: "swiftlet0")
        #expect(rule.contains(.cmp(op: .eq, sreg: .r1, data: [10, 70, 0, 0])))
        #expect(rule.contains(.cmp(op: .neq, sreg: .r1, data: Array("swiftlet0".utf8) + [UInt8](repeating: 0, count: 7))))
        #expect(rule.last == .masquerade())
    }
}
