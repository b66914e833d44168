import ContainerRuntime
import Netlink
import NativeRuntime
import PodNetwork

/// The runtime's pod network over a `PodNetworkPlugin` (the built-in bridge or CNI plugins):
/// a sandbox's ADD gives the pod its IPs, primary first (IPv4 before IPv6), and its hostPort
/// mappings reach the plugin's firewall; DEL releases both. A sandbox in the node's network
/// namespace (`hostNetwork`) gets nothing from the plugin.
///
/// The plugin is started either at once (``start(liveSandboxes:)``, what the agent does) or on
/// first use (``startOnFirstUse(liveSandboxes:)``, what a CLI invocation that may only list pods
/// does, so that it changes nothing on the node's network unless it attaches or detaches a pod).
public actor PluginSandboxNetwork: SandboxNetwork {
    /// The plugin attached sandboxes go through.
    public let plugin: any PodNetworkPlugin
    private enum State {
        case idle
        case pending(liveSandboxes: Set<String>)
        case started
    }
    private var state = State.idle

    /// Attaches sandboxes through `plugin`; start it before the first sandbox.
    public init(plugin: any PodNetworkPlugin) {
        self.plugin = plugin
    }

    /// Prepares the node side and releases what belongs to sandboxes not in `liveSandboxes`.
    public func start(liveSandboxes: Set<String>) async throws {
        try await plugin.start(liveSandboxes: liveSandboxes)
        state = .started
    }

    /// Starts the plugin with `liveSandboxes` when a sandbox is first attached or detached (or
    /// ``startIfPending()`` is called), not now.
    public func startOnFirstUse(liveSandboxes: Set<String>) {
        if case .started = state { return }
        state = .pending(liveSandboxes: liveSandboxes)
    }

    /// Starts the plugin if ``startOnFirstUse(liveSandboxes:)`` deferred it.
    public func startIfPending() async throws {
        if case .pending(let live) = state { try await start(liveSandboxes: live) }
    }

    public func setUp(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws -> [String] {
        if config.linux.securityContext.namespaceOptions.network == .node { return [] }
        try await startIfPending()
        let request = try Self.request(sandboxID: sandboxID, namespacePath: namespacePath, config: config)
        let result = try await plugin.add(request)
        return result.podIPs.map(\.description)
    }

    public func tearDown(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws {
        if config.linux.securityContext.namespaceOptions.network == .node { return }
        try await startIfPending()
        // DEL must succeed for a sandbox whose config no longer parses: drop the port mappings then.
        let request = (try? Self.request(sandboxID: sandboxID, namespacePath: namespacePath, config: config))
            ?? PodNetworkRequest(sandboxID: sandboxID, namespacePath: namespacePath)
        try await plugin.delete(request)
    }

    /// Started, or to be started on first use.
    public func isReady() async -> Bool {
        if case .idle = state { return false }
        return true
    }

    /// The plugin request for a sandbox: its pod reference, UID and hostPort mappings.
    /// - Throws: `RuntimeError.invalidArgument` naming `portMappings[i]` for a port out of range
    ///   or a host IP that is not an address.
    public static func request(sandboxID: String, namespacePath: String, config: PodSandboxConfig) throws -> PodNetworkRequest {
        var mappings: [HostPortMapping] = []
        for (index, mapping) in config.portMappings.enumerated() where mapping.hostPort != 0 {
            let field = "portMappings[\(index)]"
            guard let hostPort = UInt16(exactly: mapping.hostPort), hostPort != 0 else {
                throw RuntimeError.invalidArgument(field: field + ".hostPort", reason: "expected 1 to 65535, got \(mapping.hostPort)")
            }
            guard let containerPort = UInt16(exactly: mapping.containerPort), containerPort != 0 else {
                throw RuntimeError.invalidArgument(field: field + ".containerPort", reason: "expected 1 to 65535, got \(mapping.containerPort)")
            }
            var hostIP: IPAddress?
            // An unspecified address (0.0.0.0, ::) goes through as it is: the firewall publishes it on its own family.
            if !mapping.hostIP.isEmpty {
                guard let address = IPAddress(mapping.hostIP) else {
                    throw RuntimeError.invalidArgument(field: field + ".hostIP", reason: "expected an IP address, got \"\(mapping.hostIP)\"")
                }
                hostIP = address
            }
            let transport: HostPortMapping.TransportProtocol = switch mapping.transportProtocol {
            case .tcp: .tcp
            case .udp: .udp
            case .sctp: .sctp
            }
            mappings.append(HostPortMapping(hostPort: hostPort, containerPort: containerPort, protocol: transport, hostIP: hostIP))
        }
        let metadata = config.metadata
        return PodNetworkRequest(
            sandboxID: sandboxID, namespacePath: namespacePath, podReference: "\(metadata.namespace)/\(metadata.name)",
            podUID: metadata.uid, portMappings: mappings)
    }
}
