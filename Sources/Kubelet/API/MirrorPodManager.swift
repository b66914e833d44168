import KubeAPI
import Logging

/// Keeps one current mirror pod in the API server for each static pod (upstream's mirror pod
/// handling in `SyncPod` and `HandlePodCleanups`): creates missing ones, deletes and recreates
/// those whose hash is outdated or that are being deleted, and deletes mirror pods whose static
/// pod is gone.
public actor MirrorPodManager {
    private let client: any MirrorPodClient
    private let registry: MirrorPodRegistry
    private let nodeName: String
    private let logger: Logger
    private var nodeUID: String?

    public init(client: any MirrorPodClient, registry: MirrorPodRegistry, nodeName: String, logger: Logger = Logger(label: "swiftlet.kubelet.mirror")) {
        self.client = client
        self.registry = registry
        self.nodeName = nodeName
        self.logger = logger
    }

    /// Brings the mirror pods in line with `staticPods` (the desired pods from files and URLs).
    /// Failures are logged and retried by the next call.
    public func reconcile(staticPods: [CoreV1.Pod]) async {
        let wanted = Dictionary(staticPods.map { (MirrorPods.fullName($0), $0) }, uniquingKeysWith: { first, _ in first })
        for mirror in registry.all.sorted(by: { MirrorPods.fullName($0) < MirrorPods.fullName($1) })
        where wanted[MirrorPods.fullName(mirror)] == nil {
            await delete(mirror, why: "its static pod is gone")
        }
        for name in wanted.keys.sorted() {
            let staticPod = wanted[name]!
            if let mirror = registry.pod(named: name) {
                if MirrorPods.isCurrent(mirror, of: staticPod) { continue }
                if mirror.metadata?.deletionTimestamp == nil {
                    await delete(mirror, why: "it mirrors an outdated version of the static pod")
                }
            }
            await create(for: staticPod)
        }
    }

    private func create(for staticPod: CoreV1.Pod) async {
        let fullName = MirrorPods.fullName(staticPod)
        do {
            let uid: String
            if let nodeUID {
                uid = nodeUID
            } else {
                uid = try await client.nodeUID()
                nodeUID = uid
            }
            try await client.createMirrorPod(MirrorPods.mirror(of: staticPod, nodeName: nodeName, nodeUID: uid))
            logger.info("mirror pod created", metadata: ["pod": "\(fullName)"])
        } catch {
            logger.warning("cannot create the mirror pod; retried on the next sync", metadata: ["pod": "\(fullName)", "error": "\(error)"])
        }
    }

    private func delete(_ mirror: CoreV1.Pod, why: String) async {
        let fullName = MirrorPods.fullName(mirror)
        do {
            try await client.deleteMirrorPod(
                namespace: mirror.metadata?.namespace ?? "", name: mirror.metadata?.name ?? "", uid: mirror.metadata?.uid ?? "")
            logger.info("mirror pod deleted: \(why)", metadata: ["pod": "\(fullName)"])
        } catch APIWriteError.notFound {
            return
        } catch {
            logger.warning("cannot delete the mirror pod; retried on the next sync", metadata: ["pod": "\(fullName)", "error": "\(error)"])
        }
    }
}
