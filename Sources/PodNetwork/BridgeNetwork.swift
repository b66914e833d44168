import Glibc
import Netlink

/// The built-in plugin: a bridge holding the gateway addresses, one veth pair per sandbox with
/// the pod end created directly in the sandbox's namespace, host-local IPAM on disk, loopback up,
/// default routes, MTU and hairpin. All kernel work goes through Netlink, with one socket for the
/// node namespace kept for the plugin's life and one per pod namespace per call; an ADD is one
/// batched round trip in the node namespace (the veth's creation echoed back names the pod end's
/// index) and one in the pod's, plus one sysctl write for IPv6, and one lease journal write.
public actor BridgeNetwork: PodNetworkPlugin {
    private let configuration: BridgeNetworkConfiguration
    private let firewall: any PodNetworkFirewall
    private var ipam: HostLocalIPAM
    private var node: (namespace: NetworkNamespace?, socket: NetlinkSocket, bridgeIndex: Int32)?

    /// A plugin for `configuration`; nothing is touched until `start(liveSandboxes:)`.
    /// - Throws: `PodNetworkError.invalidConfiguration` for bad settings.
    public init(configuration: BridgeNetworkConfiguration, firewall: any PodNetworkFirewall) throws(PodNetworkError) {
        try configuration.validate()
        self.configuration = configuration
        self.firewall = firewall
        self.ipam = HostLocalIPAM(directory: configuration.stateDirectory + "/" + configuration.bridgeName,
                                  cidrs: configuration.podCIDRs)
    }

    /// Creates the bridge (or adopts an existing one), sets MTU, gateway addresses, forwarding and
    /// masquerade, loads the leases and removes every lease, veth and host port of a sandbox not
    /// in `liveSandboxes`.
    /// - Throws: `PodNetworkError.garbageCollectionFailed` when only that removal failed (the
    ///   plugin is started then); the bridge's, sysctls', firewall's or journal's errors otherwise.
    public func start(liveSandboxes: Set<String>) async throws {
        let namespace = try configuration.nodeNamespacePath.map { path throws(NetlinkError) in try NetworkNamespace(path: path) }
        let socket = try NetlinkSocket(in: namespace)
        let bridgeIndex = try ensureBridge(socket)
        try Sysctl.ensure("net/ipv4/ip_forward", is: "1", in: namespace)
        if configuration.podCIDRs.contains(where: { !$0.address.isIPv4 }) {
            try Sysctl.ensure("net/ipv6/conf/all/forwarding", is: "1", in: namespace)
        }
        node = (namespace, socket, bridgeIndex)
        try await firewall.ensureMasquerade(podCIDRs: configuration.podCIDRs.map(\.canonical), bridge: configuration.bridgeName)
        try ipam.load()
        do {
            try await reconcile(liveSandboxes: liveSandboxes, socket: socket, bridgeIndex: bridgeIndex)
        } catch {
            throw PodNetworkError.garbageCollectionFailed(network: configuration.bridgeName, reason: "\(error)")
        }
    }

    public func add(_ request: PodNetworkRequest) async throws -> PodNetworkResult {
        let node = try started()
        try validate(request, needsNamespace: true)
        let hadAddresses = !ipam.addresses(of: request.sandboxID).isEmpty
        let addresses = try ipam.allocate(sandboxID: request.sandboxID, interfaceName: request.interfaceName,
                                          podReference: request.podReference)
        do {
            let result = try attach(request, addresses: addresses, node: node)
            if !request.portMappings.isEmpty {
                try await firewall.addHostPorts(request.portMappings, sandboxID: request.sandboxID, podIPs: addresses)
            }
            return result
        } catch {
            // Nothing half-applied: the veth goes (taking the pod end with it), and addresses
            // claimed by this call are released.
            try? removeVeth(request, socket: node.socket)
            try? await firewall.removeHostPorts(sandboxID: request.sandboxID)
            if !hadAddresses { ipam.release(sandboxID: request.sandboxID) }
            throw error
        }
    }

    public func delete(_ request: PodNetworkRequest) async throws {
        let node = try started()
        try validate(request, needsNamespace: false)
        try removeVeth(request, socket: node.socket)
        try await firewall.removeHostPorts(sandboxID: request.sandboxID)
        ipam.release(sandboxID: request.sandboxID)
    }

    public func check(_ request: PodNetworkRequest) async throws {
        let node = try started()
        try validate(request, needsNamespace: true)
        let fail = { (reason: String) in PodNetworkError.checkFailed(sandboxID: request.sandboxID, reason: reason) }
        let addresses = ipam.addresses(of: request.sandboxID)
        guard addresses.count == configuration.podCIDRs.count else { throw fail("no address lease") }
        let hostName = Self.hostInterfaceName(sandboxID: request.sandboxID, interfaceName: request.interfaceName)
        guard let host = try node.socket.link(named: hostName) else { throw fail("node interface \(hostName) is missing") }
        guard host.masterIndex == node.bridgeIndex else { throw fail("\(hostName) is not a port of \(configuration.bridgeName)") }
        guard host.isUp else { throw fail("\(hostName) is down") }
        let pod = try NetlinkSocket(in: NetworkNamespace(path: request.namespacePath))
        guard let link = try pod.link(named: request.interfaceName), link.isUp else {
            throw fail("\(request.interfaceName) is missing or down in \(request.namespacePath)")
        }
        let present = Set(try pod.addresses(interfaceIndex: link.index).map(\.address.address))
        for address in addresses where !present.contains(address) {
            throw fail("\(address) is not on \(request.interfaceName)")
        }
        for range in ipam.ranges {
            let routes = try pod.routes(family: range.cidr.address.family)
            guard routes.contains(where: { $0.isDefault && $0.gateway == range.gateway }) else {
                throw fail("no default route via \(range.gateway)")
            }
        }
    }

    /// Ready when started, the bridge is still the link it attached to and up, and the lease
    /// journal can be written.
    /// - Throws: `PodNetworkError.notReady` saying which of these fails.
    public func ready() async throws {
        let notReady = { (reason: String) in PodNetworkError.notReady(network: self.configuration.bridgeName, reason: reason) }
        guard let node else { throw notReady("the plugin has not started") }
        let name = configuration.bridgeName
        guard let bridge = try node.socket.link(named: name) else { throw notReady("bridge \(name) is missing") }
        guard bridge.index == node.bridgeIndex else {
            throw notReady("bridge \(name) was replaced (index \(bridge.index), attached to \(node.bridgeIndex)); restart the agent")
        }
        guard bridge.isUp else { throw notReady("bridge \(name) is down") }
        do {
            try ipam.checkUsable()
        } catch {
            throw notReady("address leases cannot be recorded: \(error)")
        }
    }

    public func status() async throws -> PodNetworkStatus {
        let bridgeExists = try node.map { node throws(NetlinkError) in try node.socket.link(named: configuration.bridgeName) != nil } ?? false
        return PodNetworkStatus(
            plugin: "bridge", networkName: configuration.bridgeName,
            bridge: bridgeExists ? configuration.bridgeName : nil,
            podCIDRs: ipam.ranges.map(\.cidr), gateways: ipam.ranges.map(\.gateway),
            leases: ipam.leases.values.sorted { $0.address < $1.address })
    }

    /// The node-side veth name for a sandbox interface: `veth` and 11 hex digits of an FNV-1a
    /// hash of the sandbox id and interface, so DEL and reconciliation find it without state.
    public static func hostInterfaceName(sandboxID: String, interfaceName: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for byte in sandboxID.utf8 { mix(byte) }
        mix(UInt8(ascii: "/"))
        for byte in interfaceName.utf8 { mix(byte) }
        let digits = Array("0123456789abcdef".utf8)
        var name = Array("veth".utf8)
        for shift in stride(from: 60, to: 16, by: -4) {
            name.append(digits[Int((hash >> UInt64(shift)) & 0xf)])
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// The pod interface's MAC: `0a:58` and the IPv4 address (or the last four bytes of the
    /// IPv6 one), so it is stable across ADDs and needs no query.
    static func podMAC(for addresses: [IPAddress]) -> MACAddress {
        let tail = addresses.first.map { Array($0.bytes.suffix(4)) } ?? [0, 0, 0, 1]
        return MACAddress(bytes: [0x0a, 0x58] + tail)!
    }

    // MARK: - Steps

    private func started() throws(PodNetworkError) -> (namespace: NetworkNamespace?, socket: NetlinkSocket, bridgeIndex: Int32) {
        guard let node else {
            throw .invalidRequest(field: "plugin", expected: "start(liveSandboxes:) to have run before ADD, DEL or CHECK")
        }
        return node
    }

    private func validate(_ request: PodNetworkRequest, needsNamespace: Bool) throws(PodNetworkError) {
        // Byte scans: Foundation's String.contains(_:) costs more than the rest of validation.
        guard !request.sandboxID.isEmpty, !request.sandboxID.utf8.contains(UInt8(ascii: "\n")) else {
            throw .invalidRequest(field: "sandboxID", expected: "a non-empty id without newlines")
        }
        let name = Array(request.interfaceName.utf8)
        guard !name.isEmpty, name.count <= 15, !name.contains(UInt8(ascii: "/")) else {
            throw .invalidRequest(field: "interfaceName", expected: "1 to 15 characters without '/', got \"\(request.interfaceName)\"")
        }
        if needsNamespace, request.namespacePath.isEmpty {
            throw .invalidRequest(field: "namespacePath", expected: "the path of the sandbox's network namespace")
        }
    }

    private func ensureBridge(_ socket: NetlinkSocket) throws(NetlinkError) -> Int32 {
        var bridge = try socket.link(named: configuration.bridgeName)
        if bridge == nil {
            let create = NetlinkBatch(capacity: 512)
            try create.createBridge(name: configuration.bridgeName, mtu: configuration.mtu)
            if let error = try socket.perform(create)[0], error.errno != EEXIST { throw error }
            bridge = try socket.link(named: configuration.bridgeName)
        }
        guard let bridge else { throw .malformedReply("bridge \(configuration.bridgeName) vanished after creation") }
        guard bridge.kind == "bridge" else {
            throw .invalidArgument("\(configuration.bridgeName) exists but is a \(bridge.kind ?? "physical") link, not a bridge")
        }
        let batch = NetlinkBatch()
        if !bridge.isUp || bridge.mtu != configuration.mtu {
            try batch.setLink(index: bridge.index, .init(up: true, mtu: configuration.mtu))
        }
        for range in ipam.ranges {
            let gateway = IPNetwork(address: range.gateway, prefixLength: range.cidr.prefixLength)!
            try batch.addAddress(gateway, interfaceIndex: bridge.index, skipDAD: !gateway.address.isIPv4)
        }
        try socket.execute(batch)
        return bridge.index
    }

    /// Creates the veth pair and configures the pod end; idempotent for a sandbox already attached.
    private func attach(_ request: PodNetworkRequest, addresses: [IPAddress],
                        node: (namespace: NetworkNamespace?, socket: NetlinkSocket, bridgeIndex: Int32)) throws -> PodNetworkResult {
        let podNamespace = try NetworkNamespace(path: request.namespacePath)
        let pod = try NetlinkSocket(in: podNamespace)
        let hostName = Self.hostInterfaceName(sandboxID: request.sandboxID, interfaceName: request.interfaceName)
        let mac = Self.podMAC(for: addresses)

        // The node end is a bridge port and needs no IPv6 address: created down, without address
        // generation, then up, so no link-local, DAD or MLD work follows each ADD.
        // The creation is echoed back: the node end's IFLA_LINK is the pod end's index, so the
        // pod namespace needs no lookup before its addresses go on.
        let create = NetlinkBatch(capacity: 1024)
        try create.createVethPair(name: hostName, peerName: request.interfaceName, peerNamespace: podNamespace,
                                  mtu: configuration.mtu, peerMAC: mac, masterIndex: node.bridgeIndex, up: false,
                                  queues: configuration.vethQueues, echo: true)
        try create.disableIPv6AddressGeneration(name: hostName)
        if configuration.hairpin {
            try create.setHairpin(name: hostName, enabled: true, up: true)
        } else {
            try create.setLink(name: hostName, .init(up: true))
        }
        let (outcomes, echoed) = try node.socket.performEchoingLinks(create)
        var podIndex: Int32?
        if let error = outcomes[0] {
            guard error.errno == EEXIST else { throw error }
            if try pod.link(named: request.interfaceName) == nil {
                // A stale node end from an earlier attempt whose pod end is elsewhere: replace it.
                try removeVeth(request, socket: node.socket)
                try node.socket.execute(create)
            }
        } else if let error = outcomes.dropFirst().compactMap({ $0 }).first {
            throw error
        } else {
            podIndex = echoed[0].flatMap { $0.name == hostName ? $0.peerIndex : nil }
        }
        return try configurePod(request, pod: pod, podNamespace: podNamespace, podIndex: podIndex,
                                hostName: hostName, mac: mac, addresses: addresses)
    }

    /// Brings the pod end up with its addresses and default routes; `podIndex` is its index when
    /// known, otherwise it is looked up by name.
    private func configurePod(_ request: PodNetworkRequest, pod: NetlinkSocket, podNamespace: NetworkNamespace, podIndex: Int32?,
                              hostName: String, mac: MACAddress, addresses: [IPAddress]) throws -> PodNetworkResult {
        guard let index = try podIndex ?? pod.link(named: request.interfaceName)?.index else {
            throw PodNetworkError.checkFailed(sandboxID: request.sandboxID, reason: "\(request.interfaceName) did not appear in \(request.namespacePath)")
        }
        if addresses.contains(where: { !$0.isIPv4 }) {
            // Written without reading first: a new interface has the namespace's default.
            try Sysctl.write("net/ipv6/conf/\(request.interfaceName)/accept_dad", "0", in: podNamespace)
        }
        let batch = NetlinkBatch(capacity: 2048)
        try batch.setLink(name: "lo", .init(up: true))
        try batch.setLink(index: index, .init(up: true))
        var result = PodNetworkResult(
            interfaces: [.init(name: hostName, mac: nil, sandbox: ""),
                         .init(name: request.interfaceName, mac: mac, sandbox: request.namespacePath)],
            addresses: [], routes: [])
        for address in addresses {
            guard let range = ipam.ranges.first(where: { $0.cidr.contains(address) }) else { continue }
            let assigned = IPNetwork(address: address, prefixLength: range.cidr.prefixLength)!
            try batch.addAddress(assigned, interfaceIndex: index, skipDAD: !address.isIPv4)
            let route = Route.defaultRoute(via: range.gateway, interfaceIndex: index)
            try batch.addRoute(route)
            result.addresses.append(.init(address: assigned, gateway: range.gateway, interface: 1))
            result.routes.append(.init(destination: route.destination, gateway: range.gateway))
        }
        try pod.execute(batch)
        return result
    }

    private func removeVeth(_ request: PodNetworkRequest, socket: NetlinkSocket) throws(NetlinkError) {
        let batch = NetlinkBatch(capacity: 256)
        try batch.deleteLink(name: Self.hostInterfaceName(sandboxID: request.sandboxID, interfaceName: request.interfaceName))
        if let error = try socket.perform(batch)[0], error.errno != ENODEV { throw error }
    }

    private func reconcile(liveSandboxes: Set<String>, socket: NetlinkSocket, bridgeIndex: Int32) async throws {
        var keep = Set<String>()
        for lease in ipam.leases.values {
            if liveSandboxes.contains(lease.sandboxID) {
                keep.insert(Self.hostInterfaceName(sandboxID: lease.sandboxID, interfaceName: lease.interfaceName))
            }
        }
        let stale = Set(ipam.leases.values.map(\.sandboxID)).subtracting(liveSandboxes)
        for sandbox in stale {
            try await firewall.removeHostPorts(sandboxID: sandbox)
            ipam.release(sandboxID: sandbox)
        }
        for sandbox in try await firewall.sandboxesWithHostPorts() where !liveSandboxes.contains(sandbox) {
            try await firewall.removeHostPorts(sandboxID: sandbox)
        }
        // Ports of our bridge that no live lease explains (a crash between ADD and its record).
        let batch = NetlinkBatch()
        for link in try socket.links() where link.masterIndex == bridgeIndex && link.kind == "veth" && !keep.contains(link.name) {
            try batch.deleteLink(name: link.name)
        }
        for case let error? in try socket.perform(batch) where error.errno != ENODEV { throw error }
    }
}
