import KubeAPI
import Logging

/// Upstream's status manager (`pkg/kubelet/status/status_manager.go`): writes each pod's status
/// to the API server when it changed, and deletes a pod the API is deleting once its
/// containers are stopped and its volumes cleaned.
///
/// It remembers the last status written per pod and writes again only when the status differs
/// in more than the heartbeat times of its conditions (`lastProbeTime`, `lastTransitionTime`),
/// as upstream's `isPodStatusByKubeletEqual`. Each write is a strategic-merge patch of `status`
/// carrying `metadata.uid` as a precondition. A write that fails (a conflict, the server away) is
/// retried by the next sync: every change, and a reconcile of every pod each `period`.
/// A static pod's status goes to its mirror pod; without a current mirror pod nothing is written.
public actor PodStatusManager {
    private struct Written: Equatable {
        var targetUID: String
        var status: CoreV1.PodStatus
    }

    private let store: PodStatusStore
    private let writer: any PodStatusWriter
    private let mirrors: MirrorPodRegistry
    private let period: Duration
    private let logger: Logger
    private var written: [String: Written] = [:]
    /// Pods whose containers are stopped and volumes cleaned (or that never ran).
    private var reclaimed: Set<String> = []
    /// Pods deleted from the API by us.
    private var deleted: Set<String> = []
    private var inFlight: Set<String> = []
    private var again: Set<String> = []

    /// A manager writing the statuses of `store` through `writer`, reconciling every `period`
    /// (upstream: 10 s).
    public init(
        store: PodStatusStore, writer: any PodStatusWriter, mirrors: MirrorPodRegistry, period: Duration = .seconds(10),
        logger: Logger = Logger(label: "swiftlet.kubelet.status")
    ) {
        self.store = store
        self.writer = writer
        self.mirrors = mirrors
        self.period = period
        self.logger = logger
    }

    /// Syncs each changed pod, every pod after a mirror pod change, and every pod each period,
    /// until cancelled.
    public func run() async {
        let changes = await store.changes()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await pod in changes { await self.syncPod(uid: pod.metadata?.uid ?? "") }
            }
            group.addTask {
                for await _ in self.mirrors.changes() { await self.syncAll() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.period)
                    await self.syncAll()
                }
            }
        }
    }

    /// Records that the pod's containers are stopped and its volumes cleaned (or that it never
    /// ran): a pod being deleted may now be removed from the API.
    public func podResourcesReclaimed(uid: String) async {
        reclaimed.insert(uid)
        await syncPod(uid: uid)
    }

    /// The status last written for the pod (by its UID on the node), if any.
    public func lastWritten(uid: String) -> CoreV1.PodStatus? { written[uid]?.status }

    /// Syncs every pod the store knows.
    public func syncAll() async {
        for pod in await store.all { await syncPod(uid: pod.metadata?.uid ?? "") }
        let known = Set(await store.all.compactMap { $0.metadata?.uid })
        for uid in Set(written.keys).union(reclaimed).union(deleted) where !known.contains(uid) { forget(uid) }
    }

    /// Writes the pod's status if it changed, and deletes it from the API when it may be.
    public func syncPod(uid: String) async {
        if inFlight.contains(uid) {
            again.insert(uid)
            return
        }
        inFlight.insert(uid)
        defer { inFlight.remove(uid) }
        repeat {
            again.remove(uid)
            await syncOnce(uid: uid)
        } while again.contains(uid)
    }

    private func syncOnce(uid: String) async {
        guard let pod = await store.pod(uid: uid), let status = pod.status else {
            forget(uid)
            return
        }
        let namespace = pod.metadata?.namespace ?? ""
        let name = pod.metadata?.name ?? ""
        let fullName = "\(namespace)/\(name)"
        let targetUID: String
        if APIPodSource.isAPIPod(pod) {
            targetUID = uid
        } else {
            guard let mirror = mirrors.pod(named: fullName), MirrorPods.isCurrent(mirror, of: pod), let mirrorUID = mirror.metadata?.uid else {
                logger.debug("static pod has no current mirror pod yet; status not written", metadata: ["pod": "\(fullName)"])
                return
            }
            targetUID = mirrorUID
        }
        let previous = written[uid]
        if previous?.targetUID != targetUID || !Self.equalIgnoringHeartbeats(previous!.status, status) {
            let patch = Self.statusPatch(uid: targetUID, status: status, previous: previous?.targetUID == targetUID ? previous?.status : nil)
            do {
                try await writer.patchPodStatus(namespace: namespace, name: name, patch: patch)
                written[uid] = Written(targetUID: targetUID, status: status)
                logger.debug("pod status written", metadata: ["pod": "\(fullName)", "phase": "\(status.phase ?? "")"])
            } catch APIWriteError.notFound {
                logger.info("pod no longer exists on the API server; status not written", metadata: ["pod": "\(fullName)"])
                return
            } catch {
                logger.warning("pod status write failed; retried on the next sync", metadata: ["pod": "\(fullName)", "error": "\(error)"])
                return
            }
        }
        await deleteIfDone(pod, uid: uid, fullName: fullName)
    }

    /// Upstream's `canBeDeleted` then `deletePod`: an API pod being deleted whose resources are
    /// reclaimed and whose final status is written is deleted with grace 0 and its UID.
    private func deleteIfDone(_ pod: CoreV1.Pod, uid: String, fullName: String) async {
        guard APIPodSource.isAPIPod(pod), pod.metadata?.deletionTimestamp != nil, reclaimed.contains(uid), !deleted.contains(uid) else {
            return
        }
        do {
            try await writer.deletePod(
                namespace: pod.metadata?.namespace ?? "", name: pod.metadata?.name ?? "", uid: uid, gracePeriodSeconds: 0)
            deleted.insert(uid)
            logger.info("pod deleted from the API server", metadata: ["pod": "\(fullName)"])
        } catch APIWriteError.notFound {
            deleted.insert(uid)
        } catch {
            logger.warning("pod deletion failed; retried on the next sync", metadata: ["pod": "\(fullName)", "error": "\(error)"])
        }
    }

    private func forget(_ uid: String) {
        written[uid] = nil
        reclaimed.remove(uid)
        deleted.remove(uid)
    }

    /// Whether two statuses differ only in their conditions' probe and transition times
    /// (upstream's `isPodStatusByKubeletEqual`).
    public static func equalIgnoringHeartbeats(_ a: CoreV1.PodStatus, _ b: CoreV1.PodStatus) -> Bool {
        withoutHeartbeats(a) == withoutHeartbeats(b)
    }

    private static func withoutHeartbeats(_ status: CoreV1.PodStatus) -> CoreV1.PodStatus {
        var copy = status
        copy.conditions = status.conditions?.map { condition in
            var stripped = condition
            stripped.lastProbeTime = nil
            stripped.lastTransitionTime = nil
            return stripped
        }.sorted { $0.type < $1.type }
        return copy
    }

    /// The strategic-merge patch that sets `status` on the pod with `uid`: `metadata.uid` as the
    /// precondition and the whole status, with `null` for top-level fields the last written
    /// status had and this one has not, so they are removed. Conditions merge by `type` on the
    /// server, so those the kubelet does not own (`PodScheduled`) stay.
    public static func statusPatch(uid: String, status: CoreV1.PodStatus, previous: CoreV1.PodStatus?) -> JSONValue {
        var statusObject = status.encoded().objectValue ?? JSONObject()
        if let old = previous?.encoded().objectValue {
            for key in old.keys where statusObject[key] == nil { statusObject[key] = .null }
        }
        let metadata: JSONObject = ["uid": .string(uid)]
        return .object(["metadata": .object(metadata), "status": .object(statusObject)])
    }
}
