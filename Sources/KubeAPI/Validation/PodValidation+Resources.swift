// Container resource checks: known resource names, non-negative quantities, integers where the
// resource is counted, and requests no larger than limits (equal for extended resources and
// huge pages, which cannot be overcommitted).

extension PodValidation {
    /// Resource names a container may request without a domain prefix.
    static let standardContainerResources: Set<String> = ["cpu", "memory", "ephemeral-storage"]

    /// Resource names upstream knows without a domain prefix (for any kind of object).
    static let standardResources: Set<String> = [
        "cpu", "memory", "ephemeral-storage", "storage", "pods", "services", "replicationcontrollers",
        "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "requests.cpu", "requests.memory",
        "requests.ephemeral-storage", "requests.storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
        "services.nodeports", "services.loadbalancers",
    ]

    static func isHugePages(_ name: String) -> Bool { name.hasPrefix("hugepages-") }

    /// Native resources have no domain or the kubernetes.io domain.
    static func isNative(_ name: String) -> Bool { !name.contains("/") || name.contains("kubernetes.io/") }

    /// Extended resources are domain-qualified outside kubernetes.io and are counted in integers.
    static func isExtended(_ name: String) -> Bool {
        !isNative(name) && !name.hasPrefix("requests.")
    }

    static func isOvercommitAllowed(_ name: String) -> Bool { isNative(name) && !isHugePages(name) }

    static func validateResources(_ resources: CoreV1.ResourceRequirements?, at path: FieldPath) -> [ValidationError] {
        guard let resources else { return [] }
        var problems: [ValidationError] = []
        let limitsPath = path.child("limits")
        let requestsPath = path.child("requests")
        let limits = resources.limits ?? [:]
        let requests = resources.requests ?? [:]
        for name in limits.keys.sorted() {
            problems += validateResourceName(name, at: limitsPath.key(name))
            problems += validateResourceQuantity(name, limits[name]!, at: limitsPath.key(name))
        }
        for name in requests.keys.sorted() {
            let quantity = requests[name]!
            problems += validateResourceName(name, at: requestsPath.key(name))
            problems += validateResourceQuantity(name, quantity, at: requestsPath.key(name))
            if let limit = limits[name] {
                if quantity != limit && !isOvercommitAllowed(name) {
                    problems.append(.invalid(requestsPath, .string(quantity.description), "must be equal to \(name) limit of \(limit)"))
                } else if quantity > limit {
                    problems.append(.invalid(requestsPath, .string(quantity.description),
                                             "must be less than or equal to \(name) limit of \(limit)"))
                }
            } else if !isOvercommitAllowed(name) {
                problems.append(.required(limitsPath, "Limit must be set for non overcommitable resources"))
            }
        }
        return problems
    }

    static func validateResourceName(_ name: String, at path: FieldPath) -> [ValidationError] {
        let keyProblems = NameValidation.labelKey(name)
        if !keyProblems.isEmpty { return keyProblems.map { .invalid(path, .string(name), $0) } }
        var problems: [ValidationError] = []
        if !name.contains("/") {
            if !standardResources.contains(name) && !isHugePages(name) {
                problems.append(.invalid(path, .string(name), "must be a standard resource type or fully qualified"))
            }
            if !standardContainerResources.contains(name) && !isHugePages(name) {
                problems.append(.invalid(path, .string(name), "must be a standard resource for containers"))
            }
        } else if !isNative(name) && !isExtended(name) {
            problems.append(.invalid(path, .string(name), "doesn't follow extended resource name standard"))
        }
        return problems
    }

    static func validateResourceQuantity(_ name: String, _ quantity: Quantity, at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        if quantity.sign < 0 {
            problems.append(.invalid(path, .string(quantity.description), "must be greater than or equal to 0"))
        }
        if isExtended(name) && quantity.milliValue % 1000 != 0 {
            problems.append(.invalid(path, .string(quantity.description), "must be an integer"))
        }
        return problems
    }
}
