import KubeAPI

/// The Services of the pod sources (the manifest directory) and their EndpointSlices computed
/// from the local pods: what the service proxy routes in standalone use.
public struct LocalServiceState: Sendable, Equatable {
    public var services: [CoreV1.Service]
    public var endpointSlices: [DiscoveryV1.EndpointSlice]

    public init(services: [CoreV1.Service] = [], endpointSlices: [DiscoveryV1.EndpointSlice] = []) {
        self.services = services
        self.endpointSlices = endpointSlices
    }
}
