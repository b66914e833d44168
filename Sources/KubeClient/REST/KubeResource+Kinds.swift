import KubeAPI

extension CoreV1.Pod: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "pods", namespaced: true)
}

extension CoreV1.Node: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "nodes", namespaced: false)
}

extension CoreV1.ConfigMap: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "configmaps", namespaced: true)
}

extension CoreV1.Secret: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "secrets", namespaced: true)
}

extension CoreV1.Service: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "services", namespaced: true)
}

extension CoreV1.Endpoints: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "endpoints", namespaced: true)
}

extension CoreV1.Event: KubeResource {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "events", namespaced: true)

    public var objectMeta: MetaV1.ObjectMeta {
        get { metadata }
        set { metadata = newValue }
    }
}

extension CoreV1.Namespace: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(group: "", version: "v1", plural: "namespaces", namespaced: false)
}

extension CoordinationV1.Lease: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(
        group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true)
}

extension DiscoveryV1.EndpointSlice: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(
        group: "discovery.k8s.io", version: "v1", plural: "endpointslices", namespaced: true)
}

extension CertificatesV1.CertificateSigningRequest: KubeResource, OptionalObjectMetadata {
    public static let resource = KubeResourceDescriptor(
        group: "certificates.k8s.io", version: "v1", plural: "certificatesigningrequests", namespaced: false)
}

extension KubeResourceDescriptor {
    /// ServiceAccounts (KubeAPI has no generated type for them; their `token` subresource takes a
    /// ``KubeAPI/AuthenticationV1/TokenRequest``).
    public static let serviceAccounts = KubeResourceDescriptor(
        group: "", version: "v1", plural: "serviceaccounts", namespaced: true)
}
