import KubeAPI

/// The ConfigMaps and Secrets a pod's volumes refer to, fetched before the (synchronous) volume
/// set-up; a name that does not exist is absent.
public struct ReferencedObjects: Sendable {
    public var configMaps: [String: CoreV1.ConfigMap]
    public var secrets: [String: CoreV1.Secret]

    public init(configMaps: [String: CoreV1.ConfigMap] = [:], secrets: [String: CoreV1.Secret] = [:]) {
        self.configMaps = configMaps
        self.secrets = secrets
    }

    /// Fetches every ConfigMap and Secret the pod's volumes name (projected sources included)
    /// from `lookup`. A failed lookup counts as missing.
    public static func fetch(for pod: CoreV1.Pod, from lookup: any ConfigObjectLookup) async -> ReferencedObjects {
        let namespace = pod.metadata?.namespace ?? "default"
        var configMapNames: Set<String> = []
        var secretNames: Set<String> = []
        for volume in pod.spec?.volumes ?? [] {
            if let name = volume.configMap?.name { configMapNames.insert(name) }
            if let name = volume.secret?.secretName { secretNames.insert(name) }
            for source in volume.projected?.sources ?? [] {
                if let name = source.configMap?.name { configMapNames.insert(name) }
                if let name = source.secret?.name { secretNames.insert(name) }
            }
        }
        var result = ReferencedObjects()
        for name in configMapNames {
            if let object = try? await lookup.configMap(namespace: namespace, name: name) { result.configMaps[name] = object }
        }
        for name in secretNames {
            if let object = try? await lookup.secret(namespace: namespace, name: name) { result.secrets[name] = object }
        }
        return result
    }
}
