import ContainerRuntime
import Foundation
import KubeAPI
import KubeClient
import Kubelet
import Logging
import ServiceLifecycle

extension NodeAgent {
    /// Whether the configuration joins an API server (`controlPlane.kubeconfig` is set).
    public var joinsControlPlane: Bool { configuration.swiftlet.controlPlane.isEnabled }

    /// The API client made from the node's kubeconfig, rate-limited by `kubeAPIQPS` and
    /// `kubeAPIBurst` as the kubelet's is.
    ///
    /// - Throws: `ConfigurationError` naming `controlPlane.kubeconfig` when the file is missing
    ///   (run `swiftlet join` first), or the kubeconfig's own error naming the file and field.
    func connectControlPlane() throws -> KubeClient {
        let path = configuration.swiftlet.controlPlane.kubeconfig
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(file: configuration.sourcePath ?? "configuration", problems: [
                .init(line: nil, kind: SwiftletConfiguration.kind, path: FieldPath("controlPlane", "kubeconfig"),
                      message: "\(path) does not exist: expected the node's kubeconfig (swiftlet join writes it)")
            ])
        }
        var clientConfiguration = try KubeConfig.load(path: path).clientConfiguration()
        clientConfiguration.qps = Double(configuration.kubelet.kubeAPIQPS)
        clientConfiguration.burst = Int(configuration.kubelet.kubeAPIBurst)
        clientConfiguration.userAgent = "swiftlet/\(SwiftletVersionInfo.current.version) (linux) kubelet"
        var clientLogger = logger
        clientLogger[metadataKey: "component"] = "kubeclient"
        return try KubeClient(configuration: clientConfiguration, logger: clientLogger)
    }

    /// The node's citizenship in the cluster, as services: registration and node status, the
    /// Lease heartbeat, and Events sent to the API server (the kubelet's events are forwarded
    /// to them from now on).
    func nodeServices(
        client: KubeClient, kubelet: Kubelet, runtime: any ContainerRuntime, identity: NodeIdentity
    ) async -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let kubeletConfiguration = configuration.kubelet
        let api = APINodeClient(client: client)
        let nodeLogger = {
            var logger = self.logger
            logger[metadataKey: "component"] = "node"
            return logger
        }()

        let events = ClusterEventRecorder(nodeName: identity.name, writer: api, logger: nodeLogger)
        await kubelet.events.forward { events.record($0) }
        let status = NodeStatusManager(
            builder: NodeStatusBuilder(settings: nodeStatusSettings(identity: identity)),
            client: api,
            machine: LinuxMachineInfoSource(rootDirectory: configuration.swiftlet.stateDir, hostnameOverride: identity.name),
            health: { await Self.health(of: runtime) },
            onPodCIDRs: { cidrs in
                nodeLogger.info("node pod CIDRs assigned", metadata: ["podCIDRs": "\(cidrs.joined(separator: ","))"])
            },
            onEvent: { events.record($0) },
            updateFrequency: kubeletConfiguration.nodeStatusUpdateFrequency.duration,
            reportFrequency: kubeletConfiguration.nodeStatusReportFrequency.duration,
            logger: nodeLogger)
        let lease = NodeLeaseController(
            nodeName: identity.name, leaseDurationSeconds: kubeletConfiguration.nodeLeaseDurationSeconds, client: api,
            logger: nodeLogger)
        return [
            .init(service: events, serviceName: "events"),
            .init(service: status, serviceName: "node-status"),
            .init(service: lease, serviceName: "node-lease"),
        ]
    }

    /// The Node object's settings from the KubeletConfiguration and the `controlPlane` section.
    func nodeStatusSettings(identity: NodeIdentity) -> NodeStatusSettings {
        let kubelet = configuration.kubelet
        return NodeStatusSettings(
            nodeName: identity.name, nodeIPs: identity.addresses,
            labels: configuration.swiftlet.controlPlane.nodeLabels,
            taints: kubelet.registerWithTaints.map { CoreV1.Taint(effect: $0.effect, key: $0.key, value: $0.value.isEmpty ? nil : $0.value) },
            maxPods: kubelet.maxPods, kubeReserved: kubelet.kubeReserved, systemReserved: kubelet.systemReserved,
            evictionHard: kubelet.evictionHard, localStorageCapacityIsolation: kubelet.localStorageCapacityIsolation,
            kubeletPort: kubelet.port, kubeletVersion: KubernetesSchema.version,
            containerRuntimeVersion: "swiftlet://\(SwiftletVersionInfo.current.version)")
    }

    /// The node's health as the kubelet's runtime state reports it: the runtime's RuntimeReady
    /// and NetworkReady conditions, each false one a problem with upstream's wording.
    static func health(of runtime: any ContainerRuntime) async -> NodeHealth {
        let status: RuntimeStatus
        do {
            status = try await runtime.status()
        } catch {
            return NodeHealth(runtimeErrors: ["container runtime is down: \(error)"])
        }
        var health = NodeHealth()
        for condition in status.conditions where !condition.status {
            let text = "\(condition.type)=false reason:\(condition.reason) message:\(condition.message)"
            switch condition.type {
            case RuntimeCondition.runtimeReady: health.runtimeErrors.append("container runtime not ready: \(text)")
            case RuntimeCondition.networkReady: health.networkErrors.append("container runtime network not ready: \(text)")
            default: continue
            }
        }
        return health
    }
}
