import Foundation
import KubeAPI
import KubeClient
import Kubelet
import Logging
import RuntimeWiring

extension NodeAgent {
    /// Whether the configuration gives the agent pods to run without an API server: a static pod
    /// directory (`staticPodPath`) or URL (`staticPodURL`).
    public var runsStandalonePods: Bool {
        !configuration.kubelet.staticPodPath.isEmpty || !configuration.kubelet.staticPodURL.isEmpty
    }

    /// The pod side of the agent: the node's runtime (opened now, re-adopting the containers a
    /// previous agent left running) and the kubelet fed by the static pod sources, in start order.
    /// The group stops them in reverse: the kubelet stops following its sources first, then the
    /// runtime stops watching its containers; the pods keep running.
    ///
    /// ConfigMaps and Secrets for volumes and environment come from the same sources (the
    /// manifest directory's other documents), as the kubelet's standalone default.
    /// - Throws: `ConfigurationError` for a pod CIDR that does not parse, or the image store's, the
    ///   pod network's or the runtime's error when one cannot start.
    ///
    /// With `client` (the node joined an API server) the kubelet also runs the pods bound to this
    /// node, writes their status, keeps mirror pods for static pods, and follows the ConfigMaps,
    /// Secrets and service-account tokens they refer to.
    func podServices(client: KubeClient? = nil) async throws -> (runtime: NodeRuntimeService, kubelet: Kubelet) {
        let kubeletConfiguration = configuration.kubelet
        try checkPodSidePrerequisites()
        let identity = NodeIdentity.current(configuration)
        var runtimeLogger = logger
        runtimeLogger[metadataKey: "component"] = "runtime"
        let node = try await NodeRuntime.open(
            NodeRuntimeSettings(node: configuration, monitorPath: monitorPath, logger: runtimeLogger), networkStart: .now)

        var kubeletLogger = logger
        kubeletLogger[metadataKey: "component"] = "kubelet"
        var sources: [any PodSource] = []
        if !kubeletConfiguration.staticPodPath.isEmpty {
            sources.append(ManifestDirectorySource(
                path: kubeletConfiguration.staticPodPath, nodeName: identity.name,
                checkFrequency: kubeletConfiguration.fileCheckFrequency.duration, logger: kubeletLogger))
        }
        if !kubeletConfiguration.staticPodURL.isEmpty {
            sources.append(ManifestURLSource(
                url: kubeletConfiguration.staticPodURL, headers: kubeletConfiguration.staticPodURLHeader, nodeName: identity.name,
                checkFrequency: kubeletConfiguration.httpCheckFrequency.duration, logger: kubeletLogger,
                fetch: ManifestURLFetcher.fetch))
        }
        var settings = KubeletSettings(node: configuration, nodeName: identity.name, hostIPs: identity.addresses)
        settings.admission = admission(identity: identity)
        let api = client.map { KubeletAPIConnection.over($0, nodeName: identity.name, podUIDs: apiPodUIDs, logger: kubeletLogger) }
        let kubelet = Kubelet(runtime: node.runtime, sources: sources, settings: settings, api: api, logger: kubeletLogger)
        logger.info(
            "pod side ready",
            metadata: [
                "node": "\(identity.name)", "hostIPs": "\(identity.addresses.joined(separator: ","))",
                "sources": "\((sources.map(\.name) + (api == nil ? [] : ["api"])).joined(separator: ","))",
            ])
        return (NodeRuntimeService(node: node, logger: runtimeLogger), kubelet)
    }
}

extension NodeAgent {
    /// The kubelet's admission as the Node object reports the node: allocatable is capacity
    /// (this machine's CPUs, memory, ephemeral storage, huge pages and `maxPods`) less
    /// `kubeReserved`, `systemReserved` and the hard eviction thresholds; labels are the ones the
    /// node registers with. Nil (admit everything) only when the machine's facts cannot be read.
    func admission(identity: NodeIdentity) -> Admission? {
        let builder = NodeStatusBuilder(settings: nodeStatusSettings(identity: identity))
        let source = LinuxMachineInfoSource(rootDirectory: configuration.swiftlet.stateDir, hostnameOverride: identity.name)
        guard let machine = try? source.machineInfo() else {
            logger.warning("machine facts unreadable: pods are admitted without resource checks")
            return nil
        }
        return Admission(
            nodeName: identity.name,
            nodeLabels: builder.defaultLabels(machine: machine).merging(configuration.swiftlet.controlPlane.nodeLabels) { $1 },
            allocatable: builder.allocatable(capacity: builder.capacity(machine: machine)),
            maxPods: Int(configuration.kubelet.maxPods))
    }
}

extension NodeAgent {
    /// What the runtime needs before it opens, checked so the error names the field or file: the
    /// node's network namespace exists, the monitor is executable.
    func checkPodSidePrerequisites() throws {
        let namespace = configuration.swiftlet.podNetwork.nodeNetworkNamespace
        if !namespace.isEmpty && !FileManager.default.fileExists(atPath: namespace) {
            throw ConfigurationError(file: configuration.sourcePath ?? "configuration", problems: [
                .init(line: nil, kind: SwiftletConfiguration.kind, path: FieldPath("podNetwork", "nodeNetworkNamespace"),
                      message: "expected an existing network namespace (e.g. made with ip netns add), \(namespace) does not exist")
            ])
        }
        guard FileManager.default.isExecutableFile(atPath: monitorPath) else {
            throw PodSideError.monitorMissing(path: monitorPath)
        }
    }
}

/// Why the agent's pod side cannot start, beyond configuration errors.
public enum PodSideError: Error, Sendable, CustomStringConvertible {
    /// The `swiftlet-monitor` executable is not at `path`.
    case monitorMissing(path: String)

    public var description: String {
        switch self {
        case .monitorMissing(let path):
            "swiftlet-monitor: expected an executable at \(path) (it is built with swiftlet and must be installed next to it)"
        }
    }
}

extension NodeRuntimeSettings {
    /// `swiftlet-monitor` in the directory of the running executable, where the build and
    /// `scripts/install` put it.
    public static var monitorNextToExecutable: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("swiftlet-monitor").path
    }
}
