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
    /// With `controlPlane.bootstrapKubeconfig` set, the kubelet's TLS bootstrap comes first when
    /// the kubeconfig does not exist (or its certificate in `certDir` has expired): the bootstrap
    /// credentials request this node's client certificate, the agent waits until it is approved
    /// and signed, stores it in `certDir` and writes the kubeconfig naming it.
    ///
    /// - Throws: `ConfigurationError` naming `controlPlane.kubeconfig` when the file is missing
    ///   and there is no bootstrap kubeconfig (run `swiftlet join` first), the bootstrap's error
    ///   naming `controlPlane.bootstrapKubeconfig`, or the kubeconfig's own error naming the file
    ///   and field.
    func connectControlPlane(identity: NodeIdentity) async throws -> KubeClient {
        let controlPlane = configuration.swiftlet.controlPlane
        let path = controlPlane.kubeconfig
        if !controlPlane.bootstrapKubeconfig.isEmpty {
            try await bootstrapIfNeeded(nodeName: identity.name)
        }
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
        return try KubeClient(configuration: clientConfiguration, logger: componentLogger("kubeclient"))
    }

    /// The kubelet's `--bootstrap-kubeconfig` start-up (see ``NodeBootstrap``).
    private func bootstrapIfNeeded(nodeName: String) async throws {
        let controlPlane = configuration.swiftlet.controlPlane
        let bootstrapLogger = componentLogger("bootstrap")
        let api = KubeClientBootstrapAPI(logger: bootstrapLogger)
        let credentials: NodeBootstrap.Credentials?
        do {
            credentials = try await NodeBootstrap(api: api).loadOrBootstrap(
                kubeconfigPath: controlPlane.kubeconfig, bootstrapKubeconfigPath: controlPlane.bootstrapKubeconfig,
                nodeName: nodeName, certificateDirectory: controlPlane.certDir)
        } catch {
            await api.shutdown()
            throw ConfigurationError(file: configuration.sourcePath ?? "configuration", problems: [
                .init(line: nil, kind: SwiftletConfiguration.kind, path: FieldPath("controlPlane", "bootstrapKubeconfig"),
                      message: "TLS bootstrap with \(controlPlane.bootstrapKubeconfig) failed: \(error)")
            ])
        }
        await api.shutdown()
        if let credentials {
            bootstrapLogger.notice(
                "node client certificate issued", metadata: [
                    "csr": "\(credentials.csrName)", "user": "\(credentials.userName)", "kubeconfig": "\(credentials.kubeconfigPath)",
                ])
        }
    }

    /// The agent's logger with `component` set.
    func componentLogger(_ component: String) -> Logger {
        var logger = self.logger
        logger[metadataKey: "component"] = "\(component)"
        return logger
    }

    /// This agent with the pod network on the node's `spec.podCIDRs` when the Node already
    /// exists with CIDRs assigned (the node IPAM controller's ranges, as the kubelet hands them to
    /// the network) and the built-in plugin is used; otherwise this agent as configured. A node
    /// that registers for the first time learns its CIDRs later: see ``nodeServices``.
    func adoptingNodePodCIDRs(_ client: KubeClient) async -> NodeAgent {
        guard configuration.swiftlet.podNetwork.mode == "builtin" else { return self }
        let name = NodeIdentity.current(configuration).name
        guard let node = try? await client.get(CoreV1.Node.self, name: name),
            let spec = node.spec, let first = spec.podCIDR, !first.isEmpty
        else { return self }
        let cidrs = spec.podCIDRs?.isEmpty == false ? spec.podCIDRs! : [first]
        guard cidrs != configuration.swiftlet.podNetwork.podCIDRs else { return self }
        logger.info("pod network on the node's pod CIDRs", metadata: [
            "podCIDRs": "\(cidrs.joined(separator: ","))",
            "configured": "\(configuration.swiftlet.podNetwork.podCIDRs.joined(separator: ","))",
        ])
        var adopted = configuration
        adopted.swiftlet.podNetwork.podCIDRs = cidrs
        return NodeAgent(configuration: adopted, environment: environment, logger: logger, monitorPath: monitorPath)
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

        let references = PodReferenceIndex(statuses: kubelet.statuses, apiPods: apiPodUIDs)
        let events = ClusterEventRecorder(
            nodeName: identity.name, writer: api, resolve: references.reference(nodeName: identity.name), logger: nodeLogger)
        await kubelet.events.forward { events.record($0) }
        let health = RuntimeHealthMonitor(status: { try await runtime.status() }, logger: nodeLogger)
        let status = NodeStatusManager(
            builder: NodeStatusBuilder(settings: nodeStatusSettings(identity: identity)),
            client: api,
            machine: LinuxMachineInfoSource(rootDirectory: configuration.swiftlet.stateDir, hostnameOverride: identity.name),
            health: { await health.health() },
            onPodCIDRs: { [network = configuration.swiftlet.podNetwork] cidrs in
                if network.mode == "builtin" && cidrs != network.podCIDRs {
                    // The built-in plugin's ranges are fixed while it runs; the next start adopts these.
                    nodeLogger.warning("node pod CIDRs assigned; the pod network keeps its ranges until the agent restarts", metadata: [
                        "podCIDRs": "\(cidrs.joined(separator: ","))", "inUse": "\(network.podCIDRs.joined(separator: ","))",
                    ])
                } else {
                    nodeLogger.info("node pod CIDRs assigned", metadata: ["podCIDRs": "\(cidrs.joined(separator: ","))"])
                }
            },
            onEvent: { events.record($0) },
            images: { try? await runtime.listImages(filter: nil) },
            updateFrequency: kubeletConfiguration.nodeStatusUpdateFrequency.duration,
            reportFrequency: kubeletConfiguration.nodeStatusReportFrequency.duration,
            registerNode: kubeletConfiguration.registerNode,
            logger: nodeLogger)
        let lease = NodeLeaseController(
            nodeName: identity.name, leaseDurationSeconds: kubeletConfiguration.nodeLeaseDurationSeconds, client: api,
            logger: nodeLogger)
        var rotation: [ServiceGroupConfiguration.ServiceConfiguration] = []
        do {
            let controlPlane = configuration.swiftlet.controlPlane
            if let rotator = try ClientCertificateRotation.make(
                client: client, kubeconfigPath: controlPlane.kubeconfig, certDir: controlPlane.certDir, nodeName: identity.name,
                logger: componentLogger("certificates"))
            {
                rotation.append(.init(service: rotator, serviceName: "client-certificate-rotation"))
            }
        } catch {
            nodeLogger.error("client certificate rotation is off", metadata: ["error": "\(error)"])
        }
        return [
            .init(service: references, serviceName: "pod-references"),
            .init(service: events, serviceName: "events"),
            .init(service: health, serviceName: "runtime-health"),
            .init(service: status, serviceName: "node-status"),
            .init(service: lease, serviceName: "node-lease"),
        ] + rotation
    }

    /// The Node object's settings from the KubeletConfiguration and the `controlPlane` section.
    func nodeStatusSettings(identity: NodeIdentity) -> NodeStatusSettings {
        let kubelet = configuration.kubelet
        return NodeStatusSettings(
            nodeName: identity.name, nodeIPs: identity.addresses,
            labels: configuration.swiftlet.controlPlane.nodeLabels,
            taints: kubelet.registerWithTaints.map { CoreV1.Taint(effect: $0.effect, key: $0.key, value: $0.value.isEmpty ? nil : $0.value) },
            maxPods: kubelet.maxPods, kubeReserved: kubelet.kubeReserved, systemReserved: kubelet.systemReserved,
            evictionHard: kubelet.evictionHard, maxImages: kubelet.nodeStatusMaxImages,
            localStorageCapacityIsolation: kubelet.localStorageCapacityIsolation,
            kubeletPort: kubelet.port, kubeletVersion: KubernetesSchema.version,
            containerRuntimeVersion: "swiftlet://\(SwiftletVersionInfo.current.version)")
    }
}
