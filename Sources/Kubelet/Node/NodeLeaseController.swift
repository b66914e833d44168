import KubeAPI
import Logging
import ServiceLifecycle

/// Keeps the node's Lease `kube-node-lease/<node>` renewed, as component-helpers' lease
/// controller does for the kubelet: every `renewInterval` (a quarter of the duration) update the
/// last Lease it wrote with a new `renewTime`; when that fails, ensure the Lease exists (get,
/// create when missing, retried 200 ms doubling to 7 s) and update that, up to
/// `maxUpdateRetries` times, getting it again after a conflict. The Lease is owned by the Node.
public actor NodeLeaseController: Service {
    /// Upstream's `maxUpdateRetries`.
    public static let maxUpdateRetries = 5
    /// Upstream's `maxBackoff` for ensuring the Lease.
    public static let maxBackoff: Duration = .seconds(7)
    /// The namespace of node Leases.
    public static let namespace = "kube-node-lease"
    /// The kubelet's renew interval as a fraction of the duration.
    public static let renewIntervalFraction = 0.25

    public nonisolated let nodeName: String
    public nonisolated let leaseDurationSeconds: Int32
    public nonisolated let renewInterval: Duration
    private let client: any NodeLeaseClient
    private let clock: any KubeletClock
    private let sleeper: any LoopSleeper
    private let jitterFactor: Double
    private let logger: Logger
    /// The Lease as the server last returned it.
    public private(set) var latestLease: CoordinationV1.Lease?

    /// Creates the controller. `jitterFactor` stretches each wait by up to that fraction, as
    /// upstream's `JitterUntil` (0.04); tests pass 0.
    public init(
        nodeName: String, leaseDurationSeconds: Int32 = 40, client: any NodeLeaseClient,
        clock: any KubeletClock = SystemKubeletClock(), sleeper: any LoopSleeper = TaskLoopSleeper(),
        jitterFactor: Double = 0.04, logger: Logger = Logger(label: "swiftlet.node-lease")
    ) {
        self.nodeName = nodeName
        self.leaseDurationSeconds = leaseDurationSeconds
        let nanoseconds = Double(leaseDurationSeconds) * Self.renewIntervalFraction * 1e9
        self.renewInterval = .nanoseconds(Int64(nanoseconds))
        self.client = client
        self.clock = clock
        self.sleeper = sleeper
        self.jitterFactor = jitterFactor
        self.logger = logger
    }

    /// Renews the Lease every `renewInterval` until cancelled.
    public func run() async throws {
        try await runUntilShutdown {
            try await self.loop()
        }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            try await sync()
            var wait = renewInterval
            if jitterFactor > 0 { wait += renewInterval * Double.random(in: 0..<jitterFactor) }
            try await sleeper.sleep(for: wait)
        }
    }

    /// One renewal round (upstream's `sync`).
    public func sync() async throws {
        if let latestLease {
            do {
                try await retryUpdateLease(latestLease)
                return
            } catch {
                logger.warning("failed to update lease using latest lease, fallback to ensure lease", metadata: ["error": "\(error)"])
            }
        }
        let (lease, created) = try await backoffEnsureLease()
        if created { return }
        do {
            try await retryUpdateLease(lease)
        } catch {
            logger.error("\(error)", metadata: ["node": "\(nodeName)"])
        }
    }

    /// Gets the Lease, creating it when missing; retried 200 ms doubling to 7 s until it works.
    func backoffEnsureLease() async throws -> (CoordinationV1.Lease, Bool) {
        var sleep = Duration.milliseconds(100)
        while true {
            do {
                return try await ensureLease()
            } catch {
                sleep = min(sleep * 2, Self.maxBackoff)
                logger.warning("failed to ensure lease exists, will retry", metadata: ["in": "\(sleep)", "error": "\(error)"])
                try await sleeper.sleep(for: sleep)
            }
        }
    }

    private func ensureLease() async throws -> (CoordinationV1.Lease, Bool) {
        do {
            return (try await client.getLease(namespace: Self.namespace, name: nodeName), false)
        } catch let failure as KubeAPIFailure where failure.reason == .notFound {
            let lease = try await client.createLease(await newLease(base: nil))
            latestLease = lease
            return (lease, true)
        }
    }

    private func retryUpdateLease(_ base: CoordinationV1.Lease) async throws {
        var base = base
        for attempt in 0..<Self.maxUpdateRetries {
            do {
                latestLease = try await client.updateLease(await newLease(base: base))
                return
            } catch {
                logger.warning("failed to update lease", metadata: ["attempt": "\(attempt + 1)", "error": "\(error)"])
                if let failure = error as? KubeAPIFailure, failure.reason == .conflict {
                    base = try await backoffEnsureLease().0
                }
            }
        }
        throw LeaseUpdateFailed(attempts: Self.maxUpdateRetries)
    }

    /// The Lease to write: `base` (or a new one) with `renewTime` now, owned by the Node.
    func newLease(base: CoordinationV1.Lease?) async -> CoordinationV1.Lease {
        var lease = base ?? CoordinationV1.Lease(
            apiVersion: "coordination.k8s.io/v1", kind: "Lease",
            metadata: MetaV1.ObjectMeta(name: nodeName, namespace: Self.namespace),
            spec: CoordinationV1.LeaseSpec(holderIdentity: nodeName, leaseDurationSeconds: leaseDurationSeconds))
        var spec = lease.spec ?? CoordinationV1.LeaseSpec()
        spec.renewTime = NodeTime.microTime(clock.nowNanoseconds())
        lease.spec = spec
        var metadata = lease.metadata ?? MetaV1.ObjectMeta(name: nodeName, namespace: Self.namespace)
        if (metadata.ownerReferences ?? []).isEmpty {
            do {
                let uid = try await client.nodeUID(named: nodeName)
                metadata.ownerReferences = [MetaV1.OwnerReference(apiVersion: "v1", kind: "Node", name: nodeName, uid: uid)]
            } catch {
                logger.warning("failed to get node when trying to set owner ref to the node lease", metadata: ["node": "\(nodeName)", "error": "\(error)"])
            }
        }
        lease.metadata = metadata
        return lease
    }
}

/// Every update of the Lease failed.
public struct LeaseUpdateFailed: Error, CustomStringConvertible {
    public var attempts: Int
    public var description: String { "failed \(attempts) attempts to update lease" }
}
