// RuntimeWiring: puts the native runtime together with the image store and the pod network.
// `ImageStoreRuntimeImages` serves the runtime's image calls and root filesystems from `Images`;
// `PluginSandboxNetwork` attaches sandboxes through a `PodNetworkPlugin` (the built-in bridge with
// the nftables firewall, or CNI plugins); `NodeRuntime.open` builds all three from plain settings.
//
// It knows nothing of the configuration file or the kubelet: callers (the agent, the CLI) turn
// their configuration into `NodeRuntimeSettings`.

import ContainerRuntime
import Images
import Logging
import NativeRuntime
import Netlink
import PodNetwork

/// What the node's runtime is made of, in plain values.
public struct NodeRuntimeSettings: Sendable {
    /// How pods get their network.
    public enum Network: Sendable {
        /// The built-in bridge plugin with the nftables firewall (table `firewallTable`).
        case bridge(BridgeNetworkConfiguration, firewallTable: String = NFTablesPodNetworkFirewall.defaultTableName)
        /// External CNI plugins from a conflist.
        case cni(CNINetworkConfiguration)
        /// Loopback only (no plugin).
        case none
    }

    /// The runtime's state directory (sandboxes, containers).
    public var runtimeStateDirectory: String
    /// Where the runtime keeps state that must not outlive a reboot (on tmpfs); nil: the
    /// runtime's default for `runtimeStateDirectory`.
    public var runtimeRunDirectory: String?
    /// The image store's root.
    public var imageStoreDirectory: String
    /// The registries the store pulls from.
    public var registry: RegistryConfiguration
    /// The `swiftlet-monitor` executable.
    public var monitorPath: String
    /// The cgroup hierarchy and the parent of pod cgroups.
    public var cgroupMode: NativeRuntimeConfiguration.CgroupMode
    public var cgroupParent: String
    public var network: Network
    public var logger: Logger

    /// Settings with the given directories and network; the rest as the runtime's defaults.
    public init(
        runtimeStateDirectory: String, runtimeRunDirectory: String? = nil, imageStoreDirectory: String,
        registry: RegistryConfiguration = RegistryConfiguration(), monitorPath: String, cgroupMode: NativeRuntimeConfiguration.CgroupMode = .detect(), cgroupParent: String = "kubepods",
        network: Network, logger: Logger = Logger(label: "swiftlet.runtime")
    ) {
        self.runtimeStateDirectory = runtimeStateDirectory
        self.runtimeRunDirectory = runtimeRunDirectory
        self.imageStoreDirectory = imageStoreDirectory
        self.registry = registry
        self.monitorPath = monitorPath
        self.cgroupMode = cgroupMode
        self.cgroupParent = cgroupParent
        self.network = network
        self.logger = logger
    }
}

/// The node's runtime with its image store and pod network, ready for CRI calls.
public struct NodeRuntime: Sendable {
    public let runtime: NativeRuntime
    public let images: ImageStoreRuntimeImages
    /// `nil` with `Network.none`.
    public let plugin: (any PodNetworkPlugin)?
    public let network: any SandboxNetwork
    /// The adapter over `plugin`; `nil` with `Network.none`.
    public let attachment: PluginSandboxNetwork?

    /// When the pod network plugin starts.
    public enum NetworkStart: Sendable {
        /// At once, in `open` (the agent).
        case now
        /// When a sandbox is first attached or detached, or `startNetwork()` is called (the CLI:
        /// listing pods then changes nothing on the node's network).
        case onFirstUse
    }

    /// Opens the image store, builds the network plugin, starts the runtime (re-adopting the
    /// containers an earlier agent or CLI left), then starts the plugin (now or on first use, as
    /// `networkStart` says) with the sandboxes the runtime knows as ready, so addresses of
    /// sandboxes that no longer exist are released. A failure of only that release (CNI GC) is
    /// logged and the runtime opens all the same (see `PluginSandboxNetwork.start`).
    /// - Throws: the store's, the plugin's or the runtime's errors (a bad configuration names its field).
    public static func open(_ settings: NodeRuntimeSettings, networkStart: NetworkStart = .now) async throws -> NodeRuntime {
        let store = try ImageStore(root: settings.imageStoreDirectory, registry: settings.registry, logger: settings.logger)
        let images = ImageStoreRuntimeImages(store: store)
        let plugin = try makePlugin(settings.network)
        let attachment = plugin.map { PluginSandboxNetwork(plugin: $0, logger: settings.logger) }
        let network: any SandboxNetwork = attachment ?? LoopbackOnlyNetwork()
        let runtime = try await NativeRuntime.start(configuration: NativeRuntimeConfiguration(
            stateDirectory: settings.runtimeStateDirectory, runDirectory: settings.runtimeRunDirectory, monitorPath: settings.monitorPath, cgroupMode: settings.cgroupMode,
            cgroupParent: settings.cgroupParent, network: network, rootfs: images, images: images, logger: settings.logger))
        if let attachment {
            let live = try await runtime.listPodSandboxes(filter: PodSandboxFilter()).filter { $0.state == .ready }.map(\.id)
            switch networkStart {
            case .now:
                do {
                    try await attachment.start(liveSandboxes: Set(live))
                } catch {
                    await runtime.shutdown()
                    throw error
                }
            case .onFirstUse:
                await attachment.startOnFirstUse(liveSandboxes: Set(live))
            }
        }
        return NodeRuntime(runtime: runtime, images: images, plugin: plugin, network: network, attachment: attachment)
    }

    /// Starts the pod network plugin if its start was left for first use.
    public func startNetwork() async throws {
        try await attachment?.startIfPending()
    }

    /// The plugin for `network`, or `nil` for `.none`.
    public static func makePlugin(_ network: NodeRuntimeSettings.Network) throws -> (any PodNetworkPlugin)? {
        switch network {
        case .bridge(let configuration, let table):
            try configuration.validate()
            let firewall = try NFTablesPodNetworkFirewall(tableName: table, networkNamespace: configuration.nodeNamespacePath)
            return try BridgeNetwork(configuration: configuration, firewall: firewall)
        case .cni(let configuration):
            return CNINetwork(configuration: configuration)
        case .none:
            return nil
        }
    }
}
