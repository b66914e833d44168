import KubeAPI

/// A pod's quality-of-service class, computed as upstream's `qos.ComputePodQOS` does.
public enum QOSClass: String, Sendable, Hashable, CaseIterable {
    case guaranteed = "Guaranteed"
    case burstable = "Burstable"
    case bestEffort = "BestEffort"

    /// The class of `pod`.
    ///
    /// Only CPU and memory count. Pod-level `spec.resources`, when set, decide alone; otherwise
    /// every container and init container counts. A request that is not set defaults to the
    /// limit, as the API server's defaulting does for every pod it stores. Guaranteed needs a
    /// positive CPU and memory limit on every container (or on the pod) and requests equal to
    /// limits; BestEffort has no positive request or limit at all.
    public init(pod: CoreV1.Pod) {
        var requests: [String: Quantity] = [:]
        var limits: [String: Quantity] = [:]
        var isGuaranteed = true

        func add(_ resources: CoreV1.ResourceRequirements?) {
            let effective = PodResources.effectiveRequests(resources)
            for (name, quantity) in effective where Self.counts(name) && quantity.sign > 0 {
                requests[name, default: .zero] += quantity
            }
            var found: Set<String> = []
            for (name, quantity) in resources?.limits ?? [:] where Self.counts(name) && quantity.sign > 0 {
                found.insert(name)
                limits[name, default: .zero] += quantity
            }
            if !found.isSuperset(of: ["cpu", "memory"]) { isGuaranteed = false }
        }

        if let podResources = pod.spec?.resources,
            !(podResources.requests ?? [:]).isEmpty || !(podResources.limits ?? [:]).isEmpty
        {
            add(podResources)
        } else {
            for container in (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? []) {
                add(container.resources)
            }
        }

        if requests.isEmpty && limits.isEmpty {
            self = .bestEffort
            return
        }
        if isGuaranteed {
            for (name, request) in requests where limits[name] != request {
                isGuaranteed = false
                break
            }
        }
        self = isGuaranteed && requests.count == limits.count ? .guaranteed : .burstable
    }

    private static func counts(_ resource: String) -> Bool {
        resource == "cpu" || resource == "memory"
    }
}
