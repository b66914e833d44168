import NFTables

/// One proxier driven the way upstream's kube-proxy drives it: events go to the change
/// trackers and ask the bounded-frequency runner for a sync; the runner syncs at most every
/// `minSyncPeriod`, retries a failed sync after `syncPeriod`, and runs a full sync at least
/// hourly (upstream's nftables mode). NodeAgent starts `run()` in its service group and feeds
/// the events; `swiftlet proxy` does the same with only this loop.
public final class ProxySyncLoop: Sendable {
    public let proxier: NFTablesProxier
    private let runner: BoundedFrequencyRunner<ContinuousClock>
    private let health: ProxyHealth?

    /// - Parameters:
    ///   - minSyncPeriod: KubeProxyConfiguration `minSyncPeriod` (default 1 s).
    ///   - syncPeriod: KubeProxyConfiguration `syncPeriod` (default 30 s): the retry after a failure.
    ///   - onError: called with every failed sync (the caller logs it); the loop keeps going.
    public init(proxier: NFTablesProxier, minSyncPeriod: Duration = .seconds(1), syncPeriod: Duration = .seconds(30),
                health: ProxyHealth? = nil, onError: @escaping @Sendable (NFTablesError) -> Void = { _ in }) {
        self.proxier = proxier
        self.health = health
        runner = BoundedFrequencyRunner(minInterval: minSyncPeriod, maxInterval: .seconds(3600), retryInterval: syncPeriod) {
            do {
                _ = try await proxier.sync()
                return true
            } catch let error as NFTablesError {
                onError(error)
                return false
            } catch {
                return false
            }
        }
    }

    /// Runs until the task is cancelled. The proxier counts as healthy from the start, as
    /// upstream's does, until an update waits too long.
    public func run() async {
        health?.updated(await proxier.family)
        await runner.run()
    }

    /// A Service was added, changed or deleted (nil or empty ports).
    public func updateService(_ name: ServiceName, ports: [ServicePortInfo]?) async {
        if await proxier.updateService(name, ports: ports) { await runner.requestRun() }
    }

    /// An EndpointSlice was added, changed or deleted.
    public func updateEndpointSlice(_ slice: EndpointSliceInfo, removed: Bool = false) async {
        if await proxier.updateEndpointSlice(slice, removed: removed) { await runner.requestRun() }
    }

    /// The initial Service list is in.
    public func servicesDidSync() async {
        await proxier.servicesDidSync()
        await runner.requestRun()
    }

    /// The initial EndpointSlice list is in.
    public func endpointSlicesDidSync() async {
        await proxier.endpointSlicesDidSync()
        await runner.requestRun()
    }
}
