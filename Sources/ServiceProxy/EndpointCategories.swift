/// A service port's endpoints sorted the way upstream's `CategorizeEndpoints` sorts them
/// (topology hints aside): Ready endpoints by default, falling back to Serving-and-Terminating
/// ones, separately for Cluster and Local traffic policy.
public struct EndpointCategories: Sendable, Hashable {
    /// Endpoints for Cluster traffic policy; empty when the service never uses it.
    public var cluster: [EndpointInfo] = []
    /// This node's endpoints for Local traffic policy; empty when the service never uses it.
    public var local: [EndpointInfo] = []
    /// Every endpoint this node routes to: the union of the two, in a stable order.
    public var allReachable: [EndpointInfo] = []
    /// Whether the service has a usable endpoint anywhere in the cluster.
    public var hasAnyEndpoints = false

    public init(service: ServicePortInfo, endpoints: [EndpointInfo]) {
        guard !endpoints.isEmpty else { return }
        if service.usesClusterEndpoints {
            cluster = endpoints.filter(\.isReady)
            if cluster.isEmpty { cluster = endpoints.filter { $0.isServing && $0.isTerminating } }
            hasAnyEndpoints = !cluster.isEmpty
        }
        guard service.usesLocalEndpoints else {
            allReachable = cluster
            return
        }
        var localReady = false
        var localServingTerminating = false
        for endpoint in endpoints {
            if endpoint.isReady {
                hasAnyEndpoints = true
                if endpoint.isLocal { localReady = true }
            } else if endpoint.isServing && endpoint.isTerminating {
                hasAnyEndpoints = true
                if endpoint.isLocal { localServingTerminating = true }
            }
        }
        if localReady {
            local = endpoints.filter { $0.isLocal && $0.isReady }
        } else if localServingTerminating {
            local = endpoints.filter { $0.isLocal && $0.isServing && $0.isTerminating }
        }
        guard service.usesClusterEndpoints else {
            allReachable = local
            return
        }
        var seen = Set(cluster)
        allReachable = cluster
        for endpoint in local where seen.insert(endpoint).inserted { allReachable.append(endpoint) }
    }
}
