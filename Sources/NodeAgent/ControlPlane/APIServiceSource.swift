import KubeAPI
import KubeClient
import Logging
import ServiceLifecycle

/// The service proxy's source on a node that joined an API server: informers for every
/// Service and EndpointSlice in the cluster, handed to the sync loops through the same
/// ``ProxyObjectFeed`` as the standalone sources. Changes that arrive while the feed is busy
/// are coalesced into one pass, so a burst of events costs one comparison, not one each; the
/// first pass waits until both informers have listed, so the proxy's first sync is complete.
struct APIServiceSource: Service {
    let client: KubeClient
    let feed: ProxyObjectFeed
    let logger: Logger

    func run() async throws {
        let services = Informer<CoreV1.Service>(client: client, logger: logger)
        let slices = Informer<DiscoveryV1.EndpointSlice>(client: client, logger: logger)
        // One pending "something changed" at most: the feed always reads the stores' latest.
        let (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        services.store.addHandler { _ in changed.yield() }
        slices.store.addHandler { _ in changed.yield() }
        await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask { await services.run() }
                    group.addTask { await slices.run() }
                    group.addTask {
                        await services.waitForSync()
                        await slices.waitForSync()
                        if Task.isCancelled { return }
                        await feed.apply(services: services.store.list(), slices: slices.store.list())
                        for await _ in changes {
                            await feed.apply(services: services.store.list(), slices: slices.store.list())
                        }
                    }
                }
            } onCancel: {
                changed.finish()
            }
        }
    }
}
