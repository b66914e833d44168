import CSwiftletNetfilter
import NFTables

/// One IP family's service proxy: feeds the change trackers, and on `sync()` programs the
/// `kube-proxy` table: a full sync at start and after any failure, otherwise a partial sync of
/// only the service ports that changed. Stale chains are flushed at once and deleted a second
/// later (as upstream does for kernels before 6.2); stale UDP conntrack flows are deleted after
/// a successful sync.
public actor NFTablesProxier {
    public let configuration: ProxyConfiguration
    public let builder: RulesetBuilder
    private var connection: NetfilterConnection
    private let conntrack: (any ConntrackTable)?
    private let health: ProxyHealth?
    private let metrics: ProxyMetrics?

    private var services = ServiceChangeTracker()
    private var endpointSlices: EndpointSliceTracker
    private var servicesSynced = false
    private var endpointSlicesSynced = false

    private var needFullSync = true
    /// The kernel's table holds exactly what the last sync programmed (plus the stale chains
    /// not yet deleted): false at start and after a failure, when a full sync reads the table.
    private var stateKnown = false
    private var baseChainsRecreated = false
    private var applied = AppliedState()
    private var udpViews: [ServicePortName: UDPView] = [:]
    /// Ports with a Local policy and no local endpoint: (internal, external).
    private var noLocalEndpoints: [ServicePortName: (internal: Bool, external: Bool)] = [:]
    private var ledger = ElementLedger()
    private var staleChains: [String: ContinuousClock.Instant] = [:]
    /// How long a flushed chain waits before it is deleted.
    public private(set) var staleChainDelay: Duration = .seconds(1)

    /// Creates the proxier; nothing is programmed until the first `sync()`. The first proxier
    /// of the process fixes glibc malloc's thresholds (see `MallocPolicy`).
    ///
    /// - Parameters:
    ///   - connection: the nf_tables socket (moved in; the proxier is its only user).
    ///   - conntrack: where stale UDP flows are deleted; nil skips that step.
    ///   - health, metrics: shared with the other family's proxier and the HTTP servers.
    public init(configuration: ProxyConfiguration, connection: consuming NetfilterConnection,
                conntrack: (any ConntrackTable)? = nil, health: ProxyHealth? = nil, metrics: ProxyMetrics? = nil) {
        _ = MallocPolicy.fixedThresholds
        self.configuration = configuration
        builder = RulesetBuilder(configuration: configuration)
        self.connection = connection
        self.conntrack = conntrack
        self.health = health
        self.metrics = metrics
        endpointSlices = EndpointSliceTracker(family: configuration.family, hostname: configuration.hostname)
    }

    public var family: ProxyIPFamily { configuration.family }

    // MARK: Events

    /// Records a service's ports of this family (nil or empty deletes it). Returns whether a
    /// sync is now needed.
    @discardableResult
    public func updateService(_ name: ServiceName, ports: [ServicePortInfo]?) -> Bool {
        // The list itself when every port is of this family, so the tracker shares it.
        let ofFamily = ports.map { ports in
            ports.allSatisfy { family.addressBytes($0.clusterIP) != nil } ? ports : ports.filter { family.addressBytes($0.clusterIP) != nil }
        }
        let changed = services.update(name, ports: ofFamily)
        if changed && isInitialized { queued() }
        return changed && isInitialized
    }

    /// Records an EndpointSlice (or its removal). Returns whether a sync is now needed.
    @discardableResult
    public func updateEndpointSlice(_ slice: EndpointSliceInfo, removed: Bool = false) -> Bool {
        let changed = endpointSlices.update(slice, removed: removed)
        if changed && isInitialized { queued() }
        return changed && isInitialized
    }

    /// The initial list of Services was delivered.
    public func servicesDidSync() { servicesSynced = true }
    /// The initial list of EndpointSlices was delivered.
    public func endpointSlicesDidSync() { endpointSlicesSynced = true }

    /// Both initial lists are in: syncs may program the table.
    public var isInitialized: Bool { servicesSynced && endpointSlicesSynced }

    /// Sets how long a flushed chain waits before it is deleted (upstream: one second).
    public func setStaleChainDelay(_ delay: Duration) { staleChainDelay = delay }

    /// Forces the next sync to be a full one (as after a node-label change).
    public func requestFullSync() { needFullSync = true }

    private func queued() {
        health?.queuedUpdate(family)
        metrics?.queued(family, at: WallClock.now())
    }

    // MARK: Sync

    /// What one sync did.
    public struct SyncReport: Sendable, Equatable {
        public var full: Bool
        /// Service ports whose fragment was (re)written.
        public var servicePortsWritten: Int
        /// Operations in the transaction.
        public var operations: Int
        public var staleChainsDeleted: Int
        public var conntrackFlowsDeleted: Int
        public var duration: Duration
        /// Of `duration`: building fragments and the transaction, and the commit (encoding,
        /// sending and the kernel's work).
        public var buildDuration: Duration = .zero
        public var commitDuration: Duration = .zero
        /// Of `commitDuration`: encoding the batch, and `sendmsg` (the kernel's parsing,
        /// validation and commit of the batch).
        public var encodeDuration: Duration = .zero
        public var kernelDuration: Duration = .zero
        /// The batch's size in bytes.
        public var batchBytes = 0
    }

    /// Programs the current state. Does nothing (returns nil) until both initial lists are in.
    ///
    /// - Throws: `NFTablesError` when the kernel rejects the batch; nothing of it was applied,
    ///   and the next sync is a full one.
    @discardableResult
    public func sync() throws(NFTablesError) -> SyncReport? {
        guard isInitialized else { return nil }
        let clock = ContinuousClock()
        let start = clock.now
        let full = needFullSync
        var report = SyncReport(full: full, servicePortsWritten: 0, operations: 0, staleChainsDeleted: 0, conntrackFlowsDeleted: 0,
                                duration: .zero)
        defer {
            report.duration = clock.now - start
            metrics?.observeSync(family, seconds: Self.seconds(report.duration), full: full)
        }
        report.staleChainsDeleted = deleteStaleChains(now: start)

        let changedServices = services.takeChanges()
        let previousEndpoints = endpointSlices.takeChanges()
        metrics?.changes(family, servicesTotal: services.totalChanges, servicesPending: 0,
                         endpointsTotal: endpointSlices.totalChanges, endpointsPending: 0)
        let portsNow = services
        let allPorts = full ? portsNow.sortedPorts : []

        var writer = RulesetTransaction(builder: builder)
        var newlyStale: [String] = []
        var conntrackFilters: [ConntrackFilter] = []
        var nextUDPViews: [ServicePortName: UDPView] = [:]
        var changedPorts = Set<ServicePortName>()
        if !full {
            for service in changedServices.union(previousEndpoints.keys) {
                changedPorts.formUnion(applied.ports(of: service))
                changedPorts.formUnion((services.services[service] ?? []).map(\.name))
            }
        }

        // The applied state is updated in place (copying it would make every partial sync cost
        // as much as the cluster is large); if the commit fails, the next sync is a full one,
        // which rebuilds it from the trackers.
        do {
            // Stale UDP flows, decided before the new state replaces the old.
            (conntrackFilters, nextUDPViews) = staleConntrackFilters(full: full, changedPorts: changedPorts, allPorts: allPorts, ports: portsNow)
            if full {
                var fragments: [(ServicePortName, ServiceFragment)] = []
                fragments.reserveCapacity(allPorts.count)
                let existing = try stateKnown ? programmedObjects() : existingObjects()
                ledger = ElementLedger()
                ledger.reserveCapacity(allPorts.count * 3)
                applied = AppliedState()
                applied.reserveCapacity(allPorts.count)
                for port in allPorts {
                    let name = port.name
                    let fragment = builder.fragment(for: port, endpoints: endpointSlices.endpoints(for: name))
                    ledger.add(owner: name, fragment.elements)
                    fragments.append((name, fragment))
                    applied.set(name, packed: PackedFragment(fragment, port: name))
                }
                newlyStale = writer.writeFullSync(fragments: fragments, ledger: ledger, existingChains: existing.chains,
                                                  existingSets: existing.sets, recreateBaseChains: !baseChainsRecreated)
                report.servicePortsWritten = fragments.count
                compactAppliedState()
            } else {
                let changed = changedServices.union(previousEndpoints.keys)
                var changes: [(name: ServicePortName, old: AppliedFragment?, new: ServiceFragment?)] = []
                var elementChanges: [(slot: ProxyMapElement.Slot, before: NFVerdict??, after: NFVerdict??)] = []
                for service in changed.sorted() {
                    let oldPorts = applied.ports(of: service)
                    let newPorts = (services.services[service] ?? []).map(\.name)
                    for name in Set(oldPorts).union(newPorts).sorted() {
                        let old = applied.packed(name)
                        let new = portsNow.port(name).map { builder.fragment(for: $0, endpoints: endpointSlices.endpoints(for: name)) }
                        let newPacked = new.map { PackedFragment($0, port: name) }
                        if let old, let newPacked, old == newPacked { continue }
                        let oldApplied = old?.unpacked(port: name)
                        elementChanges += ledger.replace(owner: name, old: oldApplied?.elements ?? [], new: new?.elements ?? [])
                        changes.append((name, oldApplied, new))
                        applied.set(name, packed: newPacked)
                    }
                }
                let active = Set(changes.flatMap { $0.new?.chains.map(\.name) ?? [] })
                newlyStale = writer.writePartialSync(changes: changes, elementChanges: elementChanges)
                for name in active { staleChains[name] = nil }
                report.servicePortsWritten = changes.count
            }
            updateNoLocalEndpoints(full ? Set(allPorts.map(\.name)) : changedPorts, ports: portsNow, reset: full)
            report.operations = writer.transaction.operations.count
            let commitStart = clock.now
            report.buildDuration = commitStart - start
            try connection.commit(writer.transaction)
            writer.transaction = NFTransaction()
            report.commitDuration = clock.now - commitStart
            let timings = connection.lastCommitTimings
            report.encodeDuration = timings.encode
            report.kernelDuration = timings.kernel
            report.batchBytes = timings.bytes
        } catch {
            needFullSync = true
            stateKnown = false
            metrics?.syncFailed(family)
            if full { staleChains.removeAll() }
            throw error
        }

        needFullSync = false
        baseChainsRecreated = true
        udpViews = nextUDPViews
        for name in newlyStale { staleChains[name] = start }
        if full {
            let flushed = Set(newlyStale)
            for name in staleChains.keys where !flushed.contains(name) { staleChains[name] = nil }
        }

        stateKnown = true
        // The fragments and the transaction are gone; return their memory.
        if full { _ = malloc_trim(0) }
        health?.updated(family)
        metrics?.syncSucceeded(family, at: WallClock.now(), noLocalEndpoints: noLocalEndpointCounts())
        if let conntrack, !conntrackFilters.isEmpty {
            let deleted = (try? conntrack.deleteFlows(family: family, matching: conntrackFilters)) ?? 0
            report.conntrackFlowsDeleted = deleted
            metrics?.conntrackEntriesDeleted(family, deleted)
        }
        report.duration = clock.now - start
        return report
    }

    /// Deletes chains that have been stale (flushed) for at least `staleChainDelay`.
    private func deleteStaleChains(now: ContinuousClock.Instant) -> Int {
        let due = staleChains.filter { now - $0.value >= staleChainDelay }.keys.sorted()
        guard !due.isEmpty else { return 0 }
        var transaction = NFTransaction()
        for name in due {
            transaction.delete(NFChain(family: family.tableFamily, table: KubeProxyNames.table, name: name))
            staleChains[name] = nil
        }
        do {
            try connection.commit(transaction)
            return due.count
        } catch {
            // The chains stay in the kernel; the next full sync reads the table, finds them and
            // flushes them again.
            stateKnown = false
            metrics?.cleanupFailed(family)
            return 0
        }
    }

    /// Moves what the proxier keeps of a full sync into storage of its own (see `FreshStorage`),
    /// made on a fresh thread so the copies are packed in memory of their own rather than
    /// scattered over the holes between the sync's fragments; once those are gone, their pages
    /// are wholly free and the trim after the commit returns them.
    private func compactAppliedState() {
        final class Copies: @unchecked Sendable {
            var applied = AppliedState()
            var ledger = ElementLedger()
        }
        let copies = Copies()
        let (applied, ledger) = (self.applied, self.ledger)
        FreshStorage.onFreshThread {
            var names: [String: String] = [:]
            names.reserveCapacity(applied.count * 2)
            copies.applied = applied.copied()
            copies.ledger = ledger.compacted(names: &names)
        }
        self.applied = copies.applied
        self.ledger = copies.ledger
    }

    /// What the table holds after the last successful sync, from the applied state: the fixed
    /// chains and maps, every applied chain and affinity set, and the stale chains.
    private func programmedObjects() -> (chains: Set<String>, sets: Set<String>) {
        var chains = Set(builder.fixedChains.map(\.name))
        var sets = Set(builder.fixedSets.map(\.name))
        chains.reserveCapacity(applied.count * 5 + staleChains.count)
        applied.forEach { port, fragment in
            let names = fragment.objectNames(port: port)
            chains.formUnion(names.chains)
            sets.formUnion(names.sets)
        }
        for name in staleChains.keys { chains.insert(name) }
        return (chains, sets)
    }

    private func existingObjects() throws(NFTablesError) -> (chains: Set<String>, sets: Set<String>) {
        let tables = try connection.listTables(family: family.tableFamily)
        guard tables.contains(where: { $0.name == KubeProxyNames.table }) else { return ([], []) }
        let chains = try connection.listChains(family: family.tableFamily, table: KubeProxyNames.table)
        let sets = try connection.listSets(family: family.tableFamily, table: KubeProxyNames.table)
        return (Set(chains.map(\.name)), Set(sets.filter { !$0.flags.contains(.anonymous) }.map(\.name)))
    }

    /// Recomputes the no-local-endpoint flags of `names` (of every port with `reset`).
    private func updateNoLocalEndpoints(_ names: Set<ServicePortName>, ports: ServiceChangeTracker, reset: Bool) {
        if reset { noLocalEndpoints.removeAll() }
        for name in names {
            noLocalEndpoints[name] = nil
            guard let port = ports.port(name), port.usesLocalEndpoints else { continue }
            let categories = EndpointCategories(service: port, endpoints: endpointSlices.endpoints(for: name))
            guard categories.hasAnyEndpoints, categories.local.isEmpty else { continue }
            noLocalEndpoints[name] = (port.internalPolicyLocal, port.usesExternalPolicyLocal)
        }
    }

    private func noLocalEndpointCounts() -> (internal: Int, external: Int) {
        noLocalEndpoints.values.reduce(into: (internal: 0, external: 0)) { counts, flags in
            if flags.internal { counts.internal += 1 }
            if flags.external { counts.external += 1 }
        }
    }

    var currentUDPViews: [ServicePortName: UDPView] { udpViews }

    func endpoints(for name: ServicePortName) -> [EndpointInfo] { endpointSlices.endpoints(for: name) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: Reading the state

    /// Every service port of this family with its endpoints and what the proxier does with them,
    /// sorted by name (for `swiftlet proxy rules` and the health-check node ports).
    public func routes() -> [ServiceRoute] {
        services.sortedPorts.map { port in
            ServiceRoute(service: port, endpoints: endpointSlices.endpoints(for: port.name))
        }
    }

    /// The ruleset this proxier would program now, as nft text (`nft -f` loads it).
    public func rulesetText() -> String {
        let fragments = services.sortedPorts.map { port in
            (port.name, builder.fragment(for: port, endpoints: endpointSlices.endpoints(for: port.name)))
        }
        return NFTRulesetText(builder: builder).render(fragments: fragments)
    }
}
