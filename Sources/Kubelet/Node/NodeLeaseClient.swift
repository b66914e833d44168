import KubeAPI

/// The API calls the node Lease needs; the agent implements it over its client. Failures the
/// server answers should be thrown as `KubeAPIFailure` (`.notFound`, `.conflict`, …).
public protocol NodeLeaseClient: Sendable {
    /// `GET /apis/coordination.k8s.io/v1/namespaces/<namespace>/leases/<name>`.
    func getLease(namespace: String, name: String) async throws -> CoordinationV1.Lease
    /// `POST …/namespaces/<namespace>/leases`.
    func createLease(_ lease: CoordinationV1.Lease) async throws -> CoordinationV1.Lease
    /// `PUT …/namespaces/<namespace>/leases/<name>`, with the lease's resourceVersion as precondition.
    func updateLease(_ lease: CoordinationV1.Lease) async throws -> CoordinationV1.Lease
    /// The UID of the Node named `name`, for the Lease's owner reference.
    func nodeUID(named name: String) async throws -> String
}
