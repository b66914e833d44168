import Kubelet
import Logging
import ServiceLifecycle

/// The service proxy's source in standalone `swiftlet run`: the kubelet's Services (from the
/// manifest directory) and the EndpointSlices it computes from its pods' labels, readiness and
/// IPs. Every change the kubelet publishes goes to the sync loops through ``ProxyObjectFeed``,
/// so only what changed is reprogrammed.
struct KubeletServiceSource: Service {
    let kubelet: Kubelet
    let feed: ProxyObjectFeed

    func run() async throws {
        let updates = await kubelet.localServiceUpdates()
        await cancelWhenGracefulShutdown {
            for await state in updates {
                await feed.apply(services: state.services, slices: state.endpointSlices)
            }
        }
    }
}
