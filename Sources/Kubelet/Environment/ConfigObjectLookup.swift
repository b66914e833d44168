import KubeAPI

/// Where the kubelet finds the ConfigMaps and Secrets a pod refers to (the API server, or the
/// manifest directory in standalone mode).
public protocol ConfigObjectLookup: Sendable {
    /// The ConfigMap, or `nil` when it does not exist. Throws when the lookup itself fails.
    func configMap(namespace: String, name: String) async throws -> CoreV1.ConfigMap?
    /// The Secret, or `nil` when it does not exist. Throws when the lookup itself fails.
    func secret(namespace: String, name: String) async throws -> CoreV1.Secret?
}

/// A fixed set of ConfigMaps and Secrets, keyed by namespace and name: for tests and for the
/// objects of the manifest directory.
public struct StaticConfigObjects: ConfigObjectLookup {
    /// ConfigMaps by `namespace/name`.
    public var configMaps: [String: CoreV1.ConfigMap]
    /// Secrets by `namespace/name`.
    public var secrets: [String: CoreV1.Secret]

    /// Indexes the objects by their metadata's namespace (`default` when unset) and name.
    public init(configMaps: [CoreV1.ConfigMap] = [], secrets: [CoreV1.Secret] = []) {
        self.configMaps = Dictionary(configMaps.map { (Self.key($0.metadata), $0) }, uniquingKeysWith: { $1 })
        self.secrets = Dictionary(secrets.map { (Self.key($0.metadata), $0) }, uniquingKeysWith: { $1 })
    }

    private static func key(_ metadata: MetaV1.ObjectMeta?) -> String {
        "\(metadata?.namespace ?? "default")/\(metadata?.name ?? "")"
    }

    public func configMap(namespace: String, name: String) async throws -> CoreV1.ConfigMap? {
        configMaps["\(namespace)/\(name)"]
    }

    public func secret(namespace: String, name: String) async throws -> CoreV1.Secret? {
        secrets["\(namespace)/\(name)"]
    }
}
