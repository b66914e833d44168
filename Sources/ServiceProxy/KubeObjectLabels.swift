/// The labels by which kube-proxy decides which Services and EndpointSlices are its own: its
/// informers list only objects without `service.kubernetes.io/service-proxy-name` (another
/// proxy's) and without `service.kubernetes.io/headless` (no virtual IP to program), and
/// slices name their Service in `kubernetes.io/service-name`.
public enum KubeObjectLabels {
    /// `kubernetes.io/service-name`: the Service an EndpointSlice belongs to.
    public static let serviceName = "kubernetes.io/service-name"
    /// `service.kubernetes.io/service-proxy-name`: the object is served by another proxy.
    public static let serviceProxyName = "service.kubernetes.io/service-proxy-name"
    /// `service.kubernetes.io/headless`: the Service has no ClusterIP.
    public static let headless = "service.kubernetes.io/headless"

    /// Whether this proxy ignores an object with these labels.
    public static func excludesFromProxy(_ labels: [String: String]?) -> Bool {
        guard let labels else { return false }
        return labels[serviceProxyName] != nil || labels[headless] != nil
    }
}
