import ContainerRuntime

/// Seam to the pod network (`PodNetwork` implements it): attaches a sandbox's network namespace,
/// whose loopback the runtime has already brought up.
public protocol SandboxNetwork: Sendable {
    /// Sets the network up in the namespace at `namespacePath`; returns the pod's IPs, primary first.
    func setUp(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws -> [String]
    /// Removes what `setUp` made. Idempotent.
    func tearDown(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws
    /// Whether the network is ready for new sandboxes (CRI `NetworkReady`).
    func isReady() async -> Bool
}

/// No network beyond loopback: for tests and host-less pods.
public struct LoopbackOnlyNetwork: SandboxNetwork {
    public init() {}
    public func setUp(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws -> [String] { [] }
    public func tearDown(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws {}
    public func isReady() async -> Bool { true }
}
