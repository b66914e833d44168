import KubeAPI
import Synchronization

@testable import Kubelet

/// An API pod feed that delivers the snapshots a test hands it.
final class FakeAPIPodFeed: APIPodFeed {
    private let stream: AsyncStream<[CoreV1.Pod]>
    private let continuation: AsyncStream<[CoreV1.Pod]>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream(of: [CoreV1.Pod].self) }

    func send(_ pods: [CoreV1.Pod]) { continuation.yield(pods) }

    func run(deliver: @escaping @Sendable ([CoreV1.Pod]) async -> Void) async throws {
        for await pods in stream { await deliver(pods) }
    }
}

/// A status writer that records every patch and deletion, failing the next ones on demand.
final class FakePodStatusWriter: PodStatusWriter {
    struct Patch: Sendable {
        var namespace: String
        var name: String
        var body: JSONValue
        var uid: String? { body["metadata"]?["uid"]?.stringValue }
        var phase: String? { body["status"]?["phase"]?.stringValue }
    }

    struct Deletion: Sendable, Equatable {
        var namespace: String
        var name: String
        var uid: String
        var gracePeriodSeconds: Int64
    }

    private struct State {
        var patches: [Patch] = []
        var attempts = 0
        var deletions: [Deletion] = []
        var failures: [any Error] = []
    }

    private let state = Mutex(State())

    var patches: [Patch] { state.withLock { $0.patches } }
    var attempts: Int { state.withLock { $0.attempts } }
    var deletions: [Deletion] { state.withLock { $0.deletions } }

    /// The next writes (patches or deletions) fail with these errors, in order.
    func failNext(_ errors: [any Error]) { state.withLock { $0.failures += errors } }

    func patchPodStatus(namespace: String, name: String, patch: JSONValue) async throws {
        try state.withLock { state in
            state.attempts += 1
            if !state.failures.isEmpty { throw state.failures.removeFirst() }
            state.patches.append(Patch(namespace: namespace, name: name, body: patch))
        }
    }

    func deletePod(namespace: String, name: String, uid: String, gracePeriodSeconds: Int64) async throws {
        try state.withLock { state in
            if !state.failures.isEmpty { throw state.failures.removeFirst() }
            state.deletions.append(Deletion(namespace: namespace, name: name, uid: uid, gracePeriodSeconds: gracePeriodSeconds))
        }
    }
}

/// A mirror pod client that records creations and deletions.
final class FakeMirrorPodClient: MirrorPodClient {
    struct Deletion: Sendable, Equatable {
        var fullName: String
        var uid: String
    }

    private let created = Mutex<[CoreV1.Pod]>([])
    private let deleted = Mutex<[Deletion]>([])

    var creations: [CoreV1.Pod] { created.withLock { $0 } }
    var deletions: [Deletion] { deleted.withLock { $0 } }

    func createMirrorPod(_ pod: CoreV1.Pod) async throws { created.withLock { $0.append(pod) } }

    func deleteMirrorPod(namespace: String, name: String, uid: String) async throws {
        deleted.withLock { $0.append(Deletion(fullName: "\(namespace)/\(name)", uid: uid)) }
    }

    func nodeUID() async throws -> String { "node-uid-1" }
}

/// A pod as the API server would hand it over: bound to `node1`, with a UID.
func apiPod(_ name: String, uid: String, namespace: String = "default", extra: String = "", containerExtra: String = "") throws -> CoreV1.Pod {
    try pod("""
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name), namespace: \(namespace), uid: \(uid)}
        spec:
          nodeName: node1
          \(extra)
          containers:
          - name: app
            image: busybox:1.36
            command: [sleep, "3600"]
            \(containerExtra)
        """)
}

/// The static pod `kube-system/etcd-node1` as the file source hands it over.
func etcdStaticPod(image: String = "etcd:3.5") throws -> CoreV1.Pod {
    try staticPod("""
        apiVersion: v1
        kind: Pod
        metadata: {name: etcd, namespace: kube-system}
        spec:
          containers: [{name: etcd, image: "\(image)"}]
        """)
}
