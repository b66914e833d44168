import Logging
import RuntimeWiring
import ServiceLifecycle

/// The node's runtime (image store, pod network, native runtime) as a service of the agent's
/// group: opened before the group starts, so a bad pod network configuration fails the start; on
/// graceful shutdown, after the kubelet (listed after it, so stopped before it), it stops watching
/// its containers. Containers keep running under their monitors and are adopted by the next start.
public struct NodeRuntimeService: Service {
    /// The opened runtime.
    public let node: NodeRuntime
    let logger: Logger

    /// Wraps a runtime opened with `NodeRuntime.open`.
    public init(node: NodeRuntime, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the runtime down.
    public func run() async throws {
        try? await gracefulShutdown()
        await node.runtime.shutdown()
        logger.info("runtime stopped watching its containers; they keep running")
    }
}
