import KubeAPI

extension Kubelet {
    /// The Services of the sources and their EndpointSlices, computed from the pods now.
    public func localServiceState() async -> LocalServiceState {
        let services = await config.services.sorted { ($0.metadata?.name ?? "") < ($1.metadata?.name ?? "") }
        let pods = await statuses.all
        return LocalServiceState(services: services, endpointSlices: LocalEndpointSlices.compute(services: services, pods: pods))
    }

    /// The state after every change (a pod's readiness or IP, a Service added or changed),
    /// starting with the current one; ends when the consumer stops iterating.
    public func localServiceUpdates() -> AsyncStream<LocalServiceState> {
        let (stream, continuation) = AsyncStream.makeStream(of: LocalServiceState.self, bufferingPolicy: .bufferingNewest(1))
        let key = nextServiceSubscriber
        nextServiceSubscriber += 1
        serviceSubscribers[key] = continuation
        continuation.onTermination = { _ in Task { await self.removeServiceSubscriber(key) } }
        Task { await self.publishServiceState(force: true) }
        return stream
    }

    /// Recomputes the state and tells the subscribers when it changed.
    func publishServiceState(force: Bool = false) async {
        guard !serviceSubscribers.isEmpty else { return }
        let state = await localServiceState()
        if !force && state == lastServiceState { return }
        lastServiceState = state
        for continuation in serviceSubscribers.values { continuation.yield(state) }
    }

    private func removeServiceSubscriber(_ key: Int) { serviceSubscribers[key] = nil }
}
