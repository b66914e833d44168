import KubeAPI

/// The API calls node registration and status need; the agent implements it over its client.
/// Failures the server answers should be thrown as `KubeAPIFailure`.
public protocol NodeClient: Sendable {
    /// `POST /api/v1/nodes`.
    func createNode(_ node: CoreV1.Node) async throws -> CoreV1.Node
    /// `GET /api/v1/nodes/<name>`.
    func getNode(named name: String) async throws -> CoreV1.Node
    /// `PATCH /api/v1/nodes/<name>/status` with `application/strategic-merge-patch+json`.
    func patchNodeStatus(named name: String, patch: JSONValue) async throws -> CoreV1.Node
}
