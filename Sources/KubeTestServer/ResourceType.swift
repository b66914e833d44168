/// One kind of object the test server stores: where it lives in the URL space, its kind, whether
/// it is namespaced, its subresources and the fields its field selectors accept.
struct ResourceType: Sendable, Hashable {
    /// API group, empty for the core group.
    let group: String
    let version: String
    /// The plural resource name (`pods`).
    let plural: String
    let singular: String
    let kind: String
    let namespaced: Bool
    let shortNames: [String]
    /// Subresources served (`status`, `approval`, `token`).
    let subresources: [String]
    /// Fields a field selector may name besides `metadata.name` and `metadata.namespace`.
    let selectableFields: [String]

    /// `v1` or `group/version`.
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var listKind: String { kind + "List" }
    /// The resource as errors name it: `pods`, `leases.coordination.k8s.io`.
    var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// Whether a plain update ignores status (the resource has a status subresource).
    var hasStatus: Bool { subresources.contains("status") }

    static let pods = ResourceType(
        group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"],
        subresources: ["status"],
        selectableFields: [
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
        ])
    static let nodes = ResourceType(
        group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"],
        subresources: ["status"], selectableFields: ["spec.unschedulable"])
    static let namespaces = ResourceType(
        group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false,
        shortNames: ["ns"], subresources: ["status"], selectableFields: ["status.phase"])
    static let configMaps = ResourceType(
        group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true,
        shortNames: ["cm"], subresources: [], selectableFields: [])
    static let secrets = ResourceType(
        group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true, shortNames: [],
        subresources: [], selectableFields: ["type"])
    static let services = ResourceType(
        group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true,
        shortNames: ["svc"], subresources: ["status"], selectableFields: ["spec.clusterIP", "spec.type"])
    static let serviceAccounts = ResourceType(
        group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
        namespaced: true, shortNames: ["sa"], subresources: ["token"], selectableFields: [])
    static let events = ResourceType(
        group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"],
        subresources: [],
        selectableFields: [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type",
        ])
    static let endpointSlices = ResourceType(
        group: "discovery.k8s.io", version: "v1", plural: "endpointslices", singular: "endpointslice",
        kind: "EndpointSlice", namespaced: true, shortNames: [], subresources: [], selectableFields: [])
    static let leases = ResourceType(
        group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
        namespaced: true, shortNames: [], subresources: [], selectableFields: [])
    static let certificateSigningRequests = ResourceType(
        group: "certificates.k8s.io", version: "v1", plural: "certificatesigningrequests",
        singular: "certificatesigningrequest", kind: "CertificateSigningRequest", namespaced: false,
        shortNames: ["csr"], subresources: ["status", "approval"], selectableFields: ["spec.signerName"])

    /// Every resource the server serves.
    static let all: [ResourceType] = [
        pods, nodes, namespaces, configMaps, secrets, services, serviceAccounts, events, endpointSlices, leases,
        certificateSigningRequests,
    ]

    /// The resource at `group`/`version`/`plural`, if served.
    static func find(group: String, version: String, plural: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    /// The resource whose kind and apiVersion an object names, if served.
    static func find(apiVersion: String, kind: String) -> ResourceType? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    /// The API groups other than core, with their versions, in discovery order.
    static var groups: [(name: String, version: String)] {
        var seen: [(String, String)] = []
        for resource in all where !resource.group.isEmpty && !seen.contains(where: { $0.0 == resource.group }) {
            seen.append((resource.group, resource.version))
        }
        return seen
    }
}
