import KubeAPI

/// The ConfigMaps and Secrets a pod's volumes refer to, fetched before the (synchronous) volume
/// set-up; a name that does not exist is absent.
public struct ReferencedObjects: Sendable {
    public var configMaps: [String: CoreV1.ConfigMap]
    public var secrets: [String: CoreV1.Secret]
    /// The tokens of the `serviceAccountToken` projections, by their file path; a token that
    /// could not be had is absent, with the reason in `tokenErrors`.
    public var serviceAccountTokens: [String: String] = [:]
    public var tokenErrors: [String: String] = [:]

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
        let projections = (pod.spec?.volumes ?? []).flatMap { $0.projected?.sources ?? [] }.compactMap(\.serviceAccountToken)
        guard !projections.isEmpty else { return result }
        // Without an API server (standalone) there are no tokens: the volume reports the kind
        // as unsupported.
        guard let tokens = lookup as? any ServiceAccountTokenSource else { return result }
        for projection in projections {
            do {
                result.serviceAccountTokens[projection.path] = try await tokens.token(
                    for: ServiceAccountTokenManager.request(for: projection, pod: pod))
            } catch {
                result.tokenErrors[projection.path] = "cannot get a service-account token: \(error)"
            }
        }
        return result
    }
}
