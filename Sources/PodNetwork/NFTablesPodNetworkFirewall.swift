import Glibc
import Netlink
import NFTables

/// The production `PodNetworkFirewall`: one nftables table of its own (`inet
/// swiftlet-pod-network` by default) holding
///
/// - pod egress masquerade (chain `pod-egress`, postrouting at `srcnat`): traffic from a pod
///   CIDR to a destination outside it, not multicast, leaving through anything but the bridge,
///   leaves with the node's address, as the CNI bridge plugin's `ipMasq` does;
/// - hostPort DNAT (chains `prerouting` and `output` at `dstnat`, for destinations of type
///   `local`, jumping to `hostports`): maps keyed `l4proto . dport` (and `daddr . l4proto . dport`
///   for mappings bound to one node address) whose data is `pod address . container port`;
/// - hairpin and localhost masquerade (chain `hostport-masquerade`, postrouting at `srcnat`): a
///   pod reaching itself through its own hostPort, looked up in a set of `pod address . pod
///   address`, and a node connection from 127.0.0.0/8 sent on to a pod, as the CNI portmap plugin
///   does. The latter needs `route_localnet` on the bridge, which `ensureMasquerade` sets; chain
///   `localnet-guard` (input) then drops anything from outside addressed to 127.0.0.0/8 that is
///   not a reply, as kube-proxy does for the same setting.
///
/// Every map and set element carries its sandbox id as its comment, so the kernel is the record
/// of which sandbox owns what: `removeHostPorts` and `sandboxesWithHostPorts` read it back (once
/// per firewall, then kept in memory alongside each commit). Each call is one nftables
/// transaction, applied all or nothing.
public actor NFTablesPodNetworkFirewall: PodNetworkFirewall {
    /// The table name swiftlet uses.
    public static let defaultTableName = "swiftlet-pod-network"

    /// One published element and the set or map it lives in.
    struct Entry: Hashable {
        var set: HostPortSet
        var element: NFElement
    }

    /// An element's identity: its set and key (the data may differ).
    struct EntryKey: Hashable {
        var set: HostPortSet
        var key: [UInt8]
    }

    let table: NFTable
    /// The namespace programmed (nil for the agent's own), for the bridge's sysctls.
    let networkNamespace: String?
    private var connection: NetfilterConnection
    private var skeletonInstalled = false
    /// Each sandbox's elements, as last read from or written to the kernel; nil until read.
    private var index: [String: [EntryKey: Entry]]?

    /// A firewall programming `tableName` in the network namespace at `networkNamespace` (nil
    /// for the agent's own). Nothing is programmed until the first call.
    /// - Throws: `NFTablesError` when the netlink socket cannot be opened.
    public init(tableName: String = defaultTableName, networkNamespace: String? = nil) throws(NFTablesError) {
        table = NFTable(family: .inet, name: tableName)
        self.networkNamespace = networkNamespace
        connection = try NetfilterConnection(networkNamespace: networkNamespace)
    }

    public func ensureMasquerade(podCIDRs: [IPNetwork], bridge: String) async throws {
        if podCIDRs.contains(where: \.address.isIPv4) {
            // `127.0.0.1:hostPort` on the node, DNATed to a pod, must be routable out of the
            // bridge (the localnet guard below keeps everything else away from 127.0.0.0/8).
            let namespace = try networkNamespace.map { path throws(NetlinkError) in try NetworkNamespace(path: path) }
            try Sysctl.ensure("net/ipv4/conf/\(bridge)/route_localnet", is: "1", in: namespace)
        }
        var transaction = NFTransaction()
        addSkeleton(to: &transaction)
        let egress = NFChain(family: .inet, table: table.name, name: Self.egressChain,
                             base: .init(type: .nat, hook: .postrouting, priority: NFChain.Base.Priority.srcnat))
        transaction.add(egress)
        transaction.flush(egress)
        for cidr in podCIDRs {
            transaction.add(rule(in: Self.egressChain, Self.egressMasquerade(from: cidr.canonical, bridge: bridge)))
        }
        try commit(transaction)
        skeletonInstalled = true
    }

    public func addHostPorts(_ mappings: [HostPortMapping], sandboxID: String, podIPs: [IPAddress]) async throws {
        try Self.validate(sandboxID: sandboxID)
        var index = try loadedIndex()
        let existing = index[sandboxID] ?? [:]
        let wanted = try Self.entries(for: mappings, sandboxID: sandboxID, podIPs: podIPs)
        for (key, entry) in wanted {
            if let owner = Self.owner(of: key, in: index), owner != sandboxID {
                throw PodNetworkError.invalidRequest(
                    field: "portMappings", expected: "host ports no other sandbox publishes, but \(entry.set.describe(entry.element)) belongs to sandbox \(owner)")
            }
        }
        let stale = existing.filter { wanted[$0.key] != $0.value }.map(\.value)
        let fresh = wanted.filter { existing[$0.key] != $0.value }.map(\.value)
        guard !stale.isEmpty || !fresh.isEmpty || !skeletonInstalled else { return }

        var transaction = NFTransaction()
        if !skeletonInstalled { addSkeleton(to: &transaction) }
        for set in HostPortSet.allCases {
            transaction.delete(stale.filter { $0.set == set }.map(\.element), from: reference(of: set))
        }
        for set in HostPortSet.allCases {
            transaction.add(fresh.filter { $0.set == set }.map(\.element), to: reference(of: set))
        }
        try commit(transaction)
        skeletonInstalled = true
        index[sandboxID] = wanted.isEmpty ? nil : wanted
        self.index = index
    }

    public func removeHostPorts(sandboxID: String) async throws {
        do {
            try deleteElements(of: sandboxID)
        } catch where error.errno == ENOENT {
            // Someone else removed some of them; the failed commit dropped the index, so this
            // reads the kernel again and deletes what is left.
            try deleteElements(of: sandboxID)
        }
    }

    public func sandboxesWithHostPorts() async throws -> Set<String> {
        index = nil
        return Set(try loadedIndex().keys)
    }

    // MARK: - Kernel

    private func deleteElements(of sandboxID: String) throws(NFTablesError) {
        guard let entries = try loadedIndex()[sandboxID], !entries.isEmpty else { return }
        var transaction = NFTransaction()
        for set in HostPortSet.allCases {
            transaction.delete(entries.values.filter { $0.set == set }.map(\.element), from: reference(of: set))
        }
        try commit(transaction)
        index?[sandboxID] = nil
    }

    private func commit(_ transaction: NFTransaction) throws(NFTablesError) {
        do {
            try connection.commit(transaction)
        } catch {
            // Nothing was applied, but what we believed may be why: read it again next time.
            index = nil
            throw error
        }
    }

    /// The index, read from the kernel's elements and their comments when not known yet.
    private func loadedIndex() throws(NFTablesError) -> [String: [EntryKey: Entry]] {
        if let index { return index }
        var loaded: [String: [EntryKey: Entry]] = [:]
        for set in HostPortSet.allCases {
            let elements: [NFElement]
            do {
                elements = try connection.listElements(of: reference(of: set))
            } catch where error.errno == ENOENT {
                continue
            }
            for element in elements {
                guard let sandbox = element.comment, !sandbox.isEmpty else { continue }
                loaded[sandbox, default: [:]][EntryKey(set: set, key: element.key)] = Entry(set: set, element: element)
            }
        }
        index = loaded
        return loaded
    }

    nonisolated func reference(of set: HostPortSet) -> NFSetReference {
        NFSetReference(family: table.family, table: table.name, name: set.name)
    }

    private func rule(in chain: String, _ expressions: [NFExpression]) -> NFRule {
        NFRule(family: table.family, table: table.name, chain: chain, expressions: expressions)
    }

    /// The table, its sets and maps, and the fixed chains with their rules (flushed and written
    /// again, so the result is the same however often it runs). Elements are left alone.
    private func addSkeleton(to transaction: inout NFTransaction) {
        transaction.add(table)
        for set in HostPortSet.allCases {
            transaction.add(NFSet(family: table.family, table: table.name, name: set.name,
                                  keyType: set.keyType, dataType: set.dataType))
        }
        let hostports = NFChain(family: .inet, table: table.name, name: Self.hostPortsChain)
        let chains = [
            hostports,
            NFChain(family: .inet, table: table.name, name: "prerouting",
                    base: .init(type: .nat, hook: .prerouting, priority: NFChain.Base.Priority.dstnat)),
            NFChain(family: .inet, table: table.name, name: "output",
                    base: .init(type: .nat, hook: .output, priority: NFChain.Base.Priority.dstnat)),
            NFChain(family: .inet, table: table.name, name: Self.hairpinChain,
                    base: .init(type: .nat, hook: .postrouting, priority: NFChain.Base.Priority.srcnat)),
            NFChain(family: .inet, table: table.name, name: Self.localnetGuardChain,
                    base: .init(type: .filter, hook: .input, priority: NFChain.Base.Priority.filter)),
        ]
        for chain in chains {
            transaction.add(chain)
            transaction.flush(chain)
        }
        // A mapping bound to one node address wins over one for every address.
        for set in [HostPortSet.hostIPPortsIPv4, .hostPortsIPv4, .hostIPPortsIPv6, .hostPortsIPv6] {
            transaction.add(rule(in: Self.hostPortsChain, hostPortDNAT(set)))
        }
        for chain in ["prerouting", "output"] {
            transaction.add(rule(in: chain, Self.destinationIsLocal + [.verdict(.jump(Self.hostPortsChain))]))
        }
        for set in [HostPortSet.hairpinIPv4, .hairpinIPv6] {
            transaction.add(rule(in: Self.hairpinChain, hairpinMasquerade(set)))
        }
        transaction.add(rule(in: Self.hairpinChain, Self.localhostMasquerade))
        transaction.add(rule(in: Self.localnetGuardChain, Self.localnetGuard))
    }
}
