import ContainerRuntime
import Glibc
import Netlink
@testable import PodNetwork
import RuntimeWiring
import Synchronization
import Testing

/// Records what the adapter asks of a plugin.
final class RecordingPlugin: PodNetworkPlugin {
    let added = Mutex<[PodNetworkRequest]>([])
    let deleted = Mutex<[PodNetworkRequest]>([])
    let starts = Mutex<[Set<String>]>([])
    /// What `start` and `ready` throw, when set.
    let startError = Mutex<PodNetworkError?>(nil)
    let readyError = Mutex<PodNetworkError?>(nil)

    func start(liveSandboxes: Set<String>) async throws {
        starts.withLock { $0.append(liveSandboxes) }
        if let error = startError.withLock({ $0 }) { throw error }
    }
    func ready() async throws {
        if let error = readyError.withLock({ $0 }) { throw error }
    }
    func add(_ request: PodNetworkRequest) async throws -> PodNetworkResult {
        added.withLock { $0.append(request) }
        let v6 = PodNetworkResult.Address(address: IPNetwork("fd00::5/64")!, gateway: nil, interface: nil)
        let v4 = PodNetworkResult.Address(address: IPNetwork("10.1.0.5/24")!, gateway: nil, interface: nil)
        return PodNetworkResult(interfaces: [], addresses: [v6, v4], routes: [])
    }
    func delete(_ request: PodNetworkRequest) async throws { deleted.withLock { $0.append(request) } }
    func check(_ request: PodNetworkRequest) async throws {}
    func status() async throws -> PodNetworkStatus {
        PodNetworkStatus(plugin: "recording", networkName: "r", bridge: nil, podCIDRs: [], gateways: [], leases: [])
    }
}

@Suite("Sandbox network over a plugin")
struct PluginSandboxNetworkTests {
    static let metadata = PodSandboxMetadata(name: "web", uid: "uid-1", namespace: "shop")

    @Test func hostPortsBecomePluginMappingsAndTheIPv4AddressComesFirst() async throws {
        let plugin = RecordingPlugin()
        let network = PluginSandboxNetwork(plugin: plugin)
        #expect(await !network.isReady())
        try await network.start(liveSandboxes: [])
        #expect(await network.isReady())
        let config = PodSandboxConfig(metadata: Self.metadata, portMappings: [
            PortMapping(transportProtocol: .udp, containerPort: 53, hostPort: 5353, hostIP: "127.0.0.1"),
            PortMapping(containerPort: 80, hostPort: 0),
        ])
        let ips = try await network.setUp(sandboxID: "s1", namespacePath: "/run/netns/s1", config: config)
        #expect(ips == ["10.1.0.5", "fd00::5"])
        let request = try #require(plugin.added.withLock { $0.first })
        #expect(request.podReference == "shop/web" && request.podUID == "uid-1" && request.namespacePath == "/run/netns/s1")
        #expect(request.portMappings == [HostPortMapping(hostPort: 5353, containerPort: 53, protocol: .udp, hostIP: IPAddress("127.0.0.1"))])
        try await network.tearDown(sandboxID: "s1", namespacePath: "/run/netns/s1", config: config)
        #expect(plugin.deleted.withLock { $0.map(\.sandboxID) } == ["s1"])
    }

    @Test func hostNetworkSandboxesGetNothingFromThePlugin() async throws {
        let plugin = RecordingPlugin()
        let network = PluginSandboxNetwork(plugin: plugin)
        var config = PodSandboxConfig(metadata: Self.metadata)
        config.linux.securityContext.namespaceOptions.network = .node
        #expect(try await network.setUp(sandboxID: "s2", namespacePath: "/run/netns/s2", config: config).isEmpty)
        try await network.tearDown(sandboxID: "s2", namespacePath: "/run/netns/s2", config: config)
        #expect(plugin.added.withLock { $0.isEmpty } && plugin.deleted.withLock { $0.isEmpty })
    }

    @Test func badHostIPNamesThePortMappingField() throws {
        let config = PodSandboxConfig(metadata: Self.metadata, portMappings: [PortMapping(containerPort: 80, hostPort: 8080, hostIP: "not-an-ip")])
        #expect(throws: RuntimeError.invalidArgument(field: "portMappings[0].hostIP", reason: #"expected an IP address, got "not-an-ip""#)) {
            try PluginSandboxNetwork.request(sandboxID: "s3", namespacePath: "", config: config)
        }
    }

    @Test func aStartLeftForFirstUseHappensOnceWhenTheFirstSandboxIsAttached() async throws {
        let plugin = RecordingPlugin()
        let network = PluginSandboxNetwork(plugin: plugin)
        await network.startOnFirstUse(liveSandboxes: ["old"])
        #expect(await network.isReady())
        #expect(plugin.starts.withLock { $0.isEmpty })
        let config = PodSandboxConfig(metadata: Self.metadata)
        _ = try await network.setUp(sandboxID: "a", namespacePath: "/run/netns/a", config: config)
        _ = try await network.setUp(sandboxID: "b", namespacePath: "/run/netns/b", config: config)
        #expect(plugin.starts.withLock { $0 } == [["old"]])
    }

    @Test func aFailedGarbageCollectionAtStartIsKeptAndTheNetworkStartsAnyway() async throws {
        let plugin = RecordingPlugin()
        let failure = PodNetworkError.garbageCollectionFailed(network: "n", reason: "GC said no")
        plugin.startError.withLock { $0 = failure }
        let network = PluginSandboxNetwork(plugin: plugin)
        try await network.start(liveSandboxes: ["live"])
        #expect(await network.garbageCollectionFailure == failure)
        #expect(await network.readinessProblem() == nil)
        _ = try await network.setUp(sandboxID: "a", namespacePath: "/run/netns/a", config: PodSandboxConfig(metadata: Self.metadata))
        #expect(plugin.added.withLock { $0.map(\.sandboxID) } == ["a"])
    }

    @Test func aPluginThatFailsToStartThrowsAndIsNotReadyWithTheReason() async throws {
        let plugin = RecordingPlugin()
        plugin.startError.withLock { $0 = .state(path: "/var/lib/x", errno: EACCES) }
        let network = PluginSandboxNetwork(plugin: plugin)
        #expect(await network.readinessProblem() == "Network plugin returns error: pod network plugin not initialized")
        await #expect(throws: PodNetworkError.state(path: "/var/lib/x", errno: EACCES)) { try await network.start(liveSandboxes: []) }
        #expect(await network.garbageCollectionFailure == nil)
        let problem = await network.readinessProblem()
        #expect(problem == "Network plugin returns error: pod network plugin failed to start: /var/lib/x: Permission denied (errno 13)")
    }

    @Test func notReadyCarriesThePluginsReadinessErrorInContainerdsWords() async throws {
        let plugin = RecordingPlugin()
        let network = PluginSandboxNetwork(plugin: plugin)
        try await network.start(liveSandboxes: [])
        plugin.readyError.withLock {
            $0 = .pluginFailed(type: "flannel", command: "STATUS", code: 50, message: "no lease yet", details: "")
        }
        #expect(await network.readinessProblem()
                == #"Network plugin returns error: CNI plugin "flannel" STATUS failed with code 50: no lease yet"#)
        #expect(await !network.isReady())
        plugin.readyError.withLock { $0 = nil }
        #expect(await network.isReady())
    }
}
