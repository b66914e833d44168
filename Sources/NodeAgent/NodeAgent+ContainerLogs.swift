import ContainerRuntime
import KubeAPI
import Kubelet

extension NodeAgent {
    /// The container log manager for the node's runtime, with the configuration's
    /// `containerLogMaxSize`, `containerLogMaxFiles`, `containerLogMaxWorkers` and
    /// `containerLogMonitorInterval` (validated before the agent starts).
    func containerLogManager(runtime: any RuntimeService) -> ContainerLogManager {
        let kubelet = configuration.kubelet
        var logger = logger
        logger[metadataKey: "component"] = "container-logs"
        let maxSize = (try? Quantity(parsing: kubelet.containerLogMaxSize))?.value ?? ContainerLogPolicy().maxSize
        return ContainerLogManager(
            runtime: runtime,
            policy: ContainerLogPolicy(
                maxSize: maxSize, maxFiles: Int(kubelet.containerLogMaxFiles), maxWorkers: Int(kubelet.containerLogMaxWorkers),
                monitorInterval: kubelet.containerLogMonitorInterval.duration),
            logger: logger)
    }
}
