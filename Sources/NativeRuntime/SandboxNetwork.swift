import ContainerRuntime

/// Seam to the pod network (`PodNetwork` implements it): attaches a sandbox's network namespace,
/// whose loopback the runtime has already brought up.
public protocol SandboxNetwork: Sendable {
    /// Sets the network up in the namespace at `namespacePath`; returns the pod's IPs, primary first.
    func setUp(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws -> [String]
    /// Removes what `setUp` made. Idempotent.
    func tearDown(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws
    /// Why the network cannot take new sandboxes now, or `nil` when it can. The runtime reports
    /// CRI `NetworkReady` from it: false with reason `NetworkPluginNotReady` and this text as
    /// the message, as containerd does.
    func readinessProblem() async -> String?
}

extension SandboxNetwork {
    /// The network can take new sandboxes (CRI `NetworkReady`).
    public func isReady() async -> Bool { await readinessProblem() == nil }
}

/// No network beyond loopback: for tests and host-less pods.
public struct LoopbackOnlyNetwork: SandboxNetwork {
    public init() {}
    public func setUp(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws -> [String] { [] }
    public func tearDown(sandboxID: String, namespacePath: String, config: PodSandboxConfig) async throws {}
    public func readinessProblem() async -> String? { nil }
}
