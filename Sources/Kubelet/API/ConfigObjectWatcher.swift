import KubeAPI

/// Fetches and watches single ConfigMaps and Secrets in the API server (a list + watch with
/// `metadata.name=<name>` in the namespace); the agent implements it over its API client.
public protocol ConfigObjectWatcher: Sendable {
    /// The ConfigMap's current value (nil when it does not exist) and then every change, until
    /// the consumer stops iterating.
    func watchConfigMap(namespace: String, name: String) -> AsyncThrowingStream<CoreV1.ConfigMap?, any Error>
    /// The Secret's current value (nil when it does not exist) and then every change.
    func watchSecret(namespace: String, name: String) -> AsyncThrowingStream<CoreV1.Secret?, any Error>
}
