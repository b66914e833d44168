import KubeAPI
import KubeClient
import Kubelet
import Logging

extension KubeletAPIConnection {
    /// The kubelet's seams to the API server over `client`: the pods bound to `nodeName` from a
    /// pod informer, status patches and deletions, mirror pods, ConfigMaps and Secrets watched
    /// one by one, and TokenRequests. The pods' UIDs are noted in `podUIDs`.
    static func over(_ client: KubeClient, nodeName: String, podUIDs: APIPodUIDs, logger: Logger) -> KubeletAPIConnection {
        let writer = APIPodWriter(client: client, nodeName: nodeName)
        return KubeletAPIConnection(
            pods: InformerPodFeed(client: client, nodeName: nodeName, podUIDs: podUIDs, logger: logger),
            statusWriter: writer, mirrorPods: writer,
            configObjects: APIConfigObjectWatcher(client: client, logger: logger),
            tokens: APITokenRequester(client: client))
    }
}

/// The pods bound to the node, from an informer on `spec.nodeName=<node>`: a snapshot once the
/// first list is in, then one after each change (changes that arrive while the kubelet takes a
/// snapshot are coalesced into the next one).
struct InformerPodFeed: APIPodFeed {
    let client: KubeClient
    let nodeName: String
    let podUIDs: APIPodUIDs
    let logger: Logger

    func run(deliver: @escaping @Sendable ([CoreV1.Pod]) async -> Void) async throws {
        let pods = Informer<CoreV1.Pod>(client: client, selector: .pods(onNode: nodeName), logger: logger)
        try await pods.following { [podUIDs] in
            podUIDs.replace(with: $0)
            await deliver($0)
        }
    }
}

extension Informer {
    /// Runs the informer and hands `deliver` the store's complete contents once it has synced and
    /// after every change, until the task is cancelled. Changes that arrive while `deliver` runs
    /// are coalesced into one more call.
    func following(_ deliver: @escaping @Sendable ([Object]) async -> Void) async throws {
        let (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        store.addHandler { _ in changed.yield() }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.run() }
                group.addTask {
                    await self.waitForSync()
                    if Task.isCancelled { return }
                    await deliver(self.store.list())
                    for await _ in changes {
                        await deliver(self.store.list())
                    }
                }
            }
        } onCancel: {
            changed.finish()
        }
    }
}

/// Pod status patches, deletions and mirror pods over the API client.
struct APIPodWriter: PodStatusWriter, MirrorPodClient {
    let client: KubeClient
    let nodeName: String

    func patchPodStatus(namespace: String, name: String, patch: JSONValue) async throws {
        try await writeErrors {
            _ = try await client.patch(
                CoreV1.Pod.self, name: name, namespace: namespace, patch: .strategicMerge(JSONWriter.bytes(patch)),
                subresource: "status")
        }
    }

    func deletePod(namespace: String, name: String, uid: String, gracePeriodSeconds: Int64) async throws {
        try await writeErrors {
            try await client.delete(
                CoreV1.Pod.self, name: name, namespace: namespace,
                options: DeleteOptions(gracePeriodSeconds: gracePeriodSeconds, preconditionUID: uid))
        }
    }

    func createMirrorPod(_ pod: CoreV1.Pod) async throws {
        do {
            _ = try await client.create(pod)
        } catch let error as KubeAPIError where error.isAlreadyExists {
            // Upstream's rule: a pod of that name that already mirrors the same static pod is the mirror.
            let key = "kubernetes.io/config.mirror"
            let existing = try await client.get(CoreV1.Pod.self, name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace)
            guard let value = pod.metadata?.annotations?[key], existing.metadata?.annotations?[key] == value else { throw error }
        }
    }

    func deleteMirrorPod(namespace: String, name: String, uid: String) async throws {
        do {
            try await deletePod(namespace: namespace, name: name, uid: uid, gracePeriodSeconds: 0)
        } catch APIWriteError.notFound {
            return
        }
    }

    func nodeUID() async throws -> String {
        try await APINodeClient(client: client).nodeUID(named: nodeName)
    }

    /// Maps the client's 404 and 409 to the kubelet's `APIWriteError`; other errors pass as they are.
    private func writeErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as KubeAPIError where error.isNotFound {
            throw APIWriteError.notFound
        } catch let error as KubeAPIError where error.isConflict {
            throw APIWriteError.conflict
        }
    }
}

/// One ConfigMap or Secret followed through an informer on `metadata.name=<name>` in its namespace.
struct APIConfigObjectWatcher: ConfigObjectWatcher {
    let client: KubeClient
    let logger: Logger

    func watchConfigMap(namespace: String, name: String) -> AsyncThrowingStream<CoreV1.ConfigMap?, any Error> {
        follow(CoreV1.ConfigMap.self, namespace: namespace, name: name)
    }

    func watchSecret(namespace: String, name: String) -> AsyncThrowingStream<CoreV1.Secret?, any Error> {
        follow(CoreV1.Secret.self, namespace: namespace, name: name)
    }

    private func follow<Object: KubeResource>(
        _ type: Object.Type, namespace: String, name: String
    ) -> AsyncThrowingStream<Object?, any Error> {
        let informer = Informer<Object>(
            client: client, selector: .init(namespace: namespace, fieldSelector: "metadata.name=" + name), logger: logger)
        return AsyncThrowingStream { continuation in
            let task = Task {
                try await informer.following { objects in
                    continuation.yield(objects.first { $0.objectMeta.name == name })
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// TokenRequests for `serviceAccountToken` projections, bound to their pod.
struct APITokenRequester: ServiceAccountTokenRequester {
    let client: KubeClient

    func requestToken(_ request: ServiceAccountTokenRequest) async throws -> IssuedServiceAccountToken {
        let body = AuthenticationV1.TokenRequest(
            spec: AuthenticationV1.TokenRequestSpec(
                audiences: request.audiences,
                boundObjectRef: AuthenticationV1.BoundObjectReference(
                    apiVersion: "v1", kind: "Pod", name: request.podName, uid: request.podUID),
                expirationSeconds: request.expirationSeconds))
        let answer = try await client.requestToken(
            serviceAccount: request.serviceAccount, namespace: request.namespace, request: body)
        guard let token = answer.status?.token, let expiry = answer.status?.expirationTimestamp else {
            throw KubeDecodingError(
                request: "POST serviceaccounts/\(request.serviceAccount)/token",
                message: "the TokenRequest's status has no token or expirationTimestamp")
        }
        return IssuedServiceAccountToken(token: token, expirationSeconds: expiry.secondsSinceEpoch)
    }
}
