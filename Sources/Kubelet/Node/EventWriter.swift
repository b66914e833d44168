import KubeAPI

/// Where correlated events go; the agent implements it over its client (upstream's `EventSink`).
/// Failures the server answers should be thrown as `KubeAPIFailure`.
public protocol EventWriter: Sendable {
    /// `POST /api/v1/namespaces/<namespace>/events`.
    func createEvent(_ event: CoreV1.Event) async throws -> CoreV1.Event
    /// `PATCH /api/v1/namespaces/<namespace>/events/<name>` with `application/strategic-merge-patch+json`.
    func patchEvent(namespace: String, name: String, patch: JSONValue) async throws -> CoreV1.Event
}
