import KubeAPI

/// What a pod asks of the node, summed as upstream's `resource.PodRequests` and `PodLimits` do.
public struct PodResources: Sendable, Equatable {
    /// Requests by resource name (`cpu`, `memory`, …).
    public var requests: [String: Quantity]
    /// Limits by resource name.
    public var limits: [String: Quantity]
    /// Whether every container (and init container) sets a CPU limit.
    public var everyContainerLimitsCPU: Bool
    /// Whether every container (and init container) sets a memory limit.
    public var everyContainerLimitsMemory: Bool

    /// The pod's effective requests and limits: pod-level `spec.resources` where set; else the
    /// sum over containers, raised to the largest init container's value (init containers run
    /// one at a time before them), plus `spec.overhead`.
    public init(pod: CoreV1.Pod) {
        let spec = pod.spec
        var requests: [String: Quantity] = [:]
        var limits: [String: Quantity] = [:]
        var cpuLimited = true
        var memoryLimited = true
        for container in spec?.containers ?? [] {
            for (name, quantity) in Self.effectiveRequests(container.resources) { requests[name, default: .zero] += quantity }
            for (name, quantity) in container.resources?.limits ?? [:] { limits[name, default: .zero] += quantity }
        }
        for container in spec?.initContainers ?? [] {
            for (name, quantity) in Self.effectiveRequests(container.resources) where quantity > requests[name, default: .zero] {
                requests[name] = quantity
            }
            for (name, quantity) in container.resources?.limits ?? [:] where quantity > limits[name, default: .zero] {
                limits[name] = quantity
            }
        }
        for container in (spec?.containers ?? []) + (spec?.initContainers ?? []) {
            if container.resources?.limits?["cpu"] == nil { cpuLimited = false }
            if container.resources?.limits?["memory"] == nil { memoryLimited = false }
        }
        if let podLevel = spec?.resources {
            for (name, quantity) in Self.effectiveRequests(podLevel) { requests[name] = quantity }
            for (name, quantity) in podLevel.limits ?? [:] {
                limits[name] = quantity
                if name == "cpu" { cpuLimited = true }
                if name == "memory" { memoryLimited = true }
            }
        }
        for (name, quantity) in spec?.overhead ?? [:] {
            requests[name, default: .zero] += quantity
            if limits[name] != nil { limits[name, default: .zero] += quantity }
        }
        self.requests = requests
        self.limits = limits
        self.everyContainerLimitsCPU = cpuLimited
        self.everyContainerLimitsMemory = memoryLimited
    }

    /// Requests with a missing request defaulted to the limit, as the API server's defaulting
    /// (and the kubelet, for pods stored before it) does.
    public static func effectiveRequests(_ resources: CoreV1.ResourceRequirements?) -> [String: Quantity] {
        var result = resources?.requests ?? [:]
        for (name, limit) in resources?.limits ?? [:] where result[name] == nil {
            result[name] = limit
        }
        return result
    }
}
