import CSwiftletNet
import Glibc
import Netlink
import TestSupport
import Testing

/// The same requests against the real kernel, inside namespaces the test creates.
@Suite(.serialized, .requires(.root))
struct NetlinkKernelTests {
    @Test func createdNamespaceIsDistinctAndGoneAfterDelete() async throws {
        let directory = "/run/swiftlet-test-\(UInt32.random(in: 0...UInt32.max))"
        defer { rmdir(directory) }
        let namespace = try NetworkNamespace.create(named: "one", in: directory)
        #expect(try namespace.identity() != NetworkNamespace.current().identity())
        let reopened = try NetworkNamespace(path: namespace.path)
        #expect(try reopened.identity() == namespace.identity())
        #expect(throws: NetlinkError.system(call: "create network namespace \(namespace.path)", errno: EEXIST)) {
            try NetworkNamespace.create(named: "one", in: directory)
        }
        try NetworkNamespace.delete(path: namespace.path)
        #expect(access(namespace.path, F_OK) != 0)
        try NetworkNamespace.delete(path: namespace.path)
    }

    @Test func bridgeVethIntoOtherNamespaceWithMasterAndHairpin() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let node = try NetlinkSocket(in: spaces[0])
            let setup = NetlinkBatch()
            try setup.createBridge(name: "swbr0", mtu: 1400)
            try node.execute(setup)
            let bridge = try #require(try node.link(named: "swbr0"))
            #expect(bridge.kind == "bridge" && bridge.isUp && bridge.mtu == 1400)

            let peerMAC = MACAddress("0a:58:0a:00:00:02")!
            let veth = NetlinkBatch()
            try veth.createVethPair(name: "vethtest0", peerName: "eth0", peerNamespace: spaces[1],
                                    mtu: 1400, peerMAC: peerMAC, masterIndex: bridge.index)
            try veth.setHairpin(name: "vethtest0", enabled: true)
            let outcomes = try node.perform(veth)
            #expect(outcomes == [nil, nil], "\(outcomes)")

            let host = try #require(try node.link(named: "vethtest0"))
            #expect(host.masterIndex == bridge.index && host.isUp && host.mtu == 1400 && host.hairpin == true)
            #expect(try node.link(named: "eth0") == nil)

            let pod = try NetlinkSocket(in: spaces[1])
            let up = NetlinkBatch()
            try up.setLink(name: "eth0", .init(up: true))
            try pod.execute(up)
            let eth0 = try #require(try pod.link(named: "eth0"))
            #expect(eth0.mac == peerMAC && eth0.isUp && eth0.mtu == 1400 && eth0.kind == "veth")

            let teardown = NetlinkBatch()
            try teardown.deleteLink(name: "vethtest0")
            try node.execute(teardown)
            #expect(try pod.link(named: "eth0") == nil)
        }
    }

    @Test func anEchoedVethCreationGivesThePeersIndexInItsOwnNamespaceAndQueueCountsApplyToBothEnds() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let node = try NetlinkSocket(in: spaces[0])
            let batch = NetlinkBatch(capacity: 1024)
            try batch.createVethPair(name: "vethecho0", peerName: "eth0", peerNamespace: spaces[1], up: false, queues: 1, echo: true)
            try batch.setLink(name: "vethecho0", .init(up: true))
            let (outcomes, links) = try node.performEchoingLinks(batch)
            #expect(outcomes == [nil, nil], "\(outcomes)")
            #expect(links.count == 1)
            let echoed = try #require(links[0])
            let peer = try #require(try NetlinkSocket(in: spaces[1]).link(named: "eth0"))
            #expect(echoed.name == "vethecho0" && echoed.peerIndex == peer.index)
            #expect(echoed.transmitQueues == 1 && echoed.receiveQueues == 1 && peer.transmitQueues == 1 && peer.receiveQueues == 1)
            // Without echo the kernel sends only the acks.
            let plain = NetlinkBatch(capacity: 1024)
            try plain.createVethPair(name: "vethecho1", peerName: "eth1", peerNamespace: spaces[1])
            #expect(try node.performEchoingLinks(plain).links.isEmpty)
        }
    }

    @Test func addressesAndRoutesBothFamilies() async throws {
        try await withNamespaces(["a"]) { spaces in
            let socket = try NetlinkSocket(in: spaces[0])
            let link = NetlinkBatch()
            try link.createBridge(name: "br1")
            try socket.execute(link)
            let index = try #require(try socket.link(named: "br1")).index
            let v4 = IPNetwork("10.9.0.1/24")!
            let v6 = IPNetwork("fd00:9::1/64")!
            let batch = NetlinkBatch()
            try batch.addAddress(v4, interfaceIndex: index)
            try batch.addAddress(v6, interfaceIndex: index, skipDAD: true)
            try batch.addRoute(Route(destination: IPNetwork("10.50.0.0/16")!, gateway: IPAddress("10.9.0.7")))
            try batch.addRoute(Route(destination: IPNetwork("fd00:50::/48")!, gateway: IPAddress("fd00:9::7"), interfaceIndex: index))
            #expect(try socket.perform(batch) == [nil, nil, nil, nil])
            // Replacing is idempotent: the same batch again succeeds.
            #expect(try socket.perform(batch) == [nil, nil, nil, nil])

            let addresses = try socket.addresses(interfaceIndex: index).map(\.address)
            #expect(addresses.contains(v4) && addresses.contains(v6))
            let nodad = try socket.addresses(family: AF_INET6, interfaceIndex: index).first { $0.address == v6 }
            #expect(nodad.map { $0.flags & UInt32(IFA_F_NODAD) != 0 } == true)
            let routes4 = try socket.routes(family: AF_INET)
            #expect(routes4.contains { $0.destination == IPNetwork("10.50.0.0/16") && $0.gateway == IPAddress("10.9.0.7") && $0.interfaceIndex == index })
            let routes6 = try socket.routes(family: AF_INET6)
            #expect(routes6.contains { $0.destination == IPNetwork("fd00:50::/48") && $0.gateway == IPAddress("fd00:9::7") })

            let remove = NetlinkBatch()
            try remove.deleteRoute(Route(destination: IPNetwork("10.50.0.0/16")!, gateway: IPAddress("10.9.0.7")))
            try remove.deleteAddress(v4, interfaceIndex: index)
            try socket.execute(remove)
            #expect(try !socket.routes(family: AF_INET).contains { $0.destination == IPNetwork("10.50.0.0/16") })
            #expect(try !socket.addresses(interfaceIndex: index).map(\.address).contains(v4))
        }
    }

    @Test func kernelRefusalCarriesErrnoAndExtendedAck() async throws {
        try await withNamespaces(["a"]) { spaces in
            let socket = try NetlinkSocket(in: spaces[0])
            let batch = NetlinkBatch()
            try batch.append(type: Int32(RTM_NEWLINK), flags: NLM_F_CREATE | NLM_F_EXCL, operation: "create link x0") { message throws(NetlinkError) in
                try message.put(header: ifinfomsg())
                try message.put(Int32(IFLA_IFNAME), string: "x0")
                try message.nest(Int32(IFLA_LINKINFO)) { info throws(NetlinkError) in
                    try info.put(Int32(IFLA_INFO_KIND), string: "no-such-kind")
                }
            }
            try batch.createBridge(name: "br2")
            try batch.createBridge(name: "br2")
            let outcomes = try socket.perform(batch)
            #expect(outcomes.count == 3)
            guard case .kernel(let operation, let code, let message)? = outcomes[0] else {
                Issue.record("expected a kernel error, got \(String(describing: outcomes[0]))")
                return
            }
            #expect(operation == "create link x0 in \(spaces[0].path)")
            #expect(code == EOPNOTSUPP)
            #expect(message == "Unknown device type")
            #expect(outcomes[1] == nil)
            #expect(outcomes[2]?.errno == EEXIST)
            #expect(outcomes[2]?.description.contains("create bridge br2") == true)
        }
    }

    @Test func aFailureInTheMiddleOfABatchIsReportedAndTheSocketStaysInStepForTheNextBatch() async throws {
        try await withNamespaces(["a"]) { spaces in
            let socket = try NetlinkSocket(in: spaces[0])
            let batch = NetlinkBatch()
            try batch.createBridge(name: "br3")
            try batch.deleteLink(name: "nosuch0")
            try batch.createBridge(name: "br4")
            let outcomes = try socket.perform(batch)
            #expect(outcomes.count == 3)
            #expect(outcomes[0] == nil && outcomes[2] == nil)
            #expect(outcomes[1]?.errno == ENODEV)
            #expect(outcomes[1]?.description.contains("delete link nosuch0") == true)
            // Only the last request was acked: nothing of the first exchange is left to be read
            // as the answer to the next one.
            let next = NetlinkBatch()
            try next.deleteLink(name: "br3")
            #expect(try socket.perform(next) == [nil])
            #expect(try socket.link(named: "br3") == nil)
            #expect(try socket.link(named: "br4") != nil)
        }
    }

    @Test func hairpinAndUpGoInOneRequest() async throws {
        try await withNamespaces(["a"]) { spaces in
            let socket = try NetlinkSocket(in: spaces[0])
            let setup = NetlinkBatch()
            try setup.createBridge(name: "br5")
            try socket.execute(setup)
            let bridge = try #require(try socket.link(named: "br5"))
            let batch = NetlinkBatch(capacity: 2048)
            try batch.createVethPair(name: "vethhp0", peerName: "vethhp1", peerNamespace: nil, masterIndex: bridge.index, up: false)
            try batch.setHairpin(name: "vethhp0", enabled: true, up: true)
            #expect(try socket.perform(batch) == [nil, nil])
            let port = try #require(try socket.link(named: "vethhp0"))
            #expect(port.isUp && port.hairpin == true && port.masterIndex == bridge.index)
        }
    }

    @Test func switchingIntoANamespaceLeavesTheThreadInItsOwn() async throws {
        try await withNamespaces(["a"]) { spaces in
            // No suspension point between the checks: they run on the thread that switched.
            let home = try NetworkNamespace(path: "/proc/thread-self/ns/net").identity()
            for _ in 0..<3 {
                let fd = SL_net_socket_in(spaces[0].descriptor, AF_NETLINK, Int32(SOCK_RAW.rawValue), NETLINK_ROUTE)
                #expect(fd >= 0)
                close(fd)
                #expect(try NetworkNamespace(path: "/proc/thread-self/ns/net").identity() == home)
            }
            // A socket made there lives there: it sees the namespace's links, not ours.
            let inside = try NetlinkSocket(in: spaces[0])
            #expect(try inside.links().map(\.name) == ["lo"])
        }
    }

    @Test func sysctlEnsureWritesOnlyWhenTheValueDiffers() async throws {
        try await withNamespaces(["a"]) { (spaces: [NetworkNamespace]) async throws in
            #expect(try Sysctl.read("net/ipv4/ip_forward", in: spaces[0]) == "0")
            #expect(try Sysctl.ensure("net/ipv4/ip_forward", is: "1", in: spaces[0]))
            #expect(try !Sysctl.ensure("net/ipv4/ip_forward", is: "1", in: spaces[0]))
            #expect(try Sysctl.read("net/ipv4/ip_forward", in: spaces[0]) == "1")
        }
    }
}
