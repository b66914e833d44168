import ContainerRuntime
import Logging
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
///
/// A failed release of stale state at start (CNI GC) is logged and kept in
/// ``garbageCollectionFailure``; the network is started all the same, as containerd goes on
/// after a failed CNI GC. Readiness (CRI `NetworkReady`) is the plugin's `ready()`: for CNI 1.1
/// networks the plugins' STATUS, for the built-in bridge its own check.
public actor PluginSandboxNetwork: SandboxNetwork {
    /// The plugin attached sandboxes go through.
    public let plugin: any PodNetworkPlugin
    private let logger: Logger
    private enum State {
        case idle
        case pending(liveSandboxes: Set<String>)
        case started
        case failed(String)
    }
    private var state = State.idle
    /// Why releasing the state of sandboxes no longer alive failed at the last start, if it did.
    public private(set) var garbageCollectionFailure: PodNetworkError?

    /// Attaches sandboxes through `plugin`; start it before the first sandbox.
    public init(plugin: any PodNetworkPlugin, logger: Logger = Logger(label: "swiftlet.network")) {
        self.plugin = plugin
        self.logger = logger
    }

    /// Prepares the node side and releases what belongs to sandboxes not in `liveSandboxes`.
    /// A failure of only that release is logged, not thrown.
    /// - Throws: the plugin's error when it could not be started.
    public func start(liveSandboxes: Set<String>) async throws {
        garbageCollectionFailure = nil
        do {
            try await plugin.start(liveSandboxes: liveSandboxes)
        } catch let error as PodNetworkError {
            guard case .garbageCollectionFailed(let network, let reason) = error else {
                state = .failed("\(error)")
                throw error
            }
            garbageCollectionFailure = error
            logger.warning("failed to garbage collect the pod network; going on",
                           metadata: ["network": "\(network)", "error": "\(reason)"])
        } catch {
            state = .failed("\(error)")
            throw error
        }
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

    /// `nil` once started (and the plugin's readiness check passes) or while the start waits for
    /// first use; otherwise containerd's `Network plugin returns error: …` text.
    public func readinessProblem() async -> String? {
        let problem: String
        switch state {
        case .pending:
            return nil
        case .idle:
            problem = "pod network plugin not initialized"
        case .failed(let reason):
            problem = "pod network plugin failed to start: \(reason)"
        case .started:
            do {
                try await plugin.ready()
                return nil
            } catch {
                problem = "\(error)"
            }
        }
        return "Network plugin returns error: " + problem
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
