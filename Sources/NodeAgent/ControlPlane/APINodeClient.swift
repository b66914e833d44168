import KubeAPI
import KubeClient
import Kubelet

/// The kubelet's node seams (registration and status, the Lease, Events) over the API client.
/// Every failure becomes a `KubeAPIFailure`, which is what the node loops tell apart.
struct APINodeClient: NodeClient, NodeLeaseClient, EventWriter {
    let client: KubeClient

    func createNode(_ node: CoreV1.Node) async throws -> CoreV1.Node {
        try await failures { try await client.create(node) }
    }

    func getNode(named name: String) async throws -> CoreV1.Node {
        try await failures { try await client.get(CoreV1.Node.self, name: name) }
    }

    func patchNodeStatus(named name: String, patch: JSONValue) async throws -> CoreV1.Node {
        try await failures {
            try await client.patch(
                CoreV1.Node.self, name: name, patch: .strategicMerge(JSONWriter.bytes(patch)), subresource: "status")
        }
    }

    func getLease(namespace: String, name: String) async throws -> CoordinationV1.Lease {
        try await failures { try await client.get(CoordinationV1.Lease.self, name: name, namespace: namespace) }
    }

    func createLease(_ lease: CoordinationV1.Lease) async throws -> CoordinationV1.Lease {
        try await failures { try await client.create(lease) }
    }

    func updateLease(_ lease: CoordinationV1.Lease) async throws -> CoordinationV1.Lease {
        try await failures { try await client.update(lease) }
    }

    func nodeUID(named name: String) async throws -> String {
        let node = try await getNode(named: name)
        guard let uid = node.metadata?.uid, !uid.isEmpty else {
            throw KubeAPIFailure(.status(500), "node \(name) has no metadata.uid")
        }
        return uid
    }

    func createEvent(_ event: CoreV1.Event) async throws -> CoreV1.Event {
        try await failures { try await client.create(event) }
    }

    func patchEvent(namespace: String, name: String, patch: JSONValue) async throws -> CoreV1.Event {
        try await failures {
            try await client.patch(CoreV1.Event.self, name: name, namespace: namespace, patch: .strategicMerge(JSONWriter.bytes(patch)))
        }
    }
}

/// Runs `body`, turning the client's errors into the kubelet's `KubeAPIFailure`: what the server
/// answered keeps its meaning (not found, conflict, already exists, the status code); anything
/// else is a transport failure. Cancellation passes through.
func failures<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as KubeAPIError {
        let reason: KubeAPIFailure.Reason =
            if error.isAlreadyExists { .alreadyExists }
            else if error.isNotFound { .notFound }
            else if error.isConflict { .conflict }
            else { .status(error.code) }
        throw KubeAPIFailure(reason, error.description)
    } catch let error as CancellationError {
        throw error
    } catch let error as KubeAPIFailure {
        throw error
    } catch {
        throw KubeAPIFailure(.transport, "\(error)")
    }
}
