/// A sandbox as `listPodSandboxes` reports it (CRI `PodSandbox`).
public struct PodSandbox: Sendable, Equatable, Identifiable {
    public var id: String
    public var metadata: PodSandboxMetadata
    public var state: PodSandboxState
    /// Nanoseconds since the Unix epoch.
    public var createdAt: Int64
    public var labels: [String: String]
    public var annotations: [String: String]
    public var runtimeHandler: String

    public init(
        id: String, metadata: PodSandboxMetadata, state: PodSandboxState, createdAt: Int64,
        labels: [String: String], annotations: [String: String], runtimeHandler: String = ""
    ) {
        self.id = id
        self.metadata = metadata
        self.state = state
        self.createdAt = createdAt
        self.labels = labels
        self.annotations = annotations
        self.runtimeHandler = runtimeHandler
    }
}

/// CRI `PodSandboxState`.
public enum PodSandboxState: String, Sendable, Equatable, Codable {
    case ready = "SANDBOX_READY"
    case notReady = "SANDBOX_NOTREADY"
}

/// Selects sandboxes; `nil` fields match everything (CRI `PodSandboxFilter`).
public struct PodSandboxFilter: Sendable, Equatable {
    public var id: String?
    public var state: PodSandboxState?
    /// Every pair must be among the sandbox's labels.
    public var labelSelector: [String: String]

    public init(id: String? = nil, state: PodSandboxState? = nil, labelSelector: [String: String] = [:]) {
        self.id = id
        self.state = state
        self.labelSelector = labelSelector
    }

    /// Whether the sandbox matches.
    public func matches(_ sandbox: PodSandbox) -> Bool {
        if let id, sandbox.id != id { return false }
        if let state, sandbox.state != state { return false }
        return labelSelector.allSatisfy { sandbox.labels[$0.key] == $0.value }
    }
}

/// CRI `PodSandboxStatus`.
public struct PodSandboxStatus: Sendable, Equatable {
    public var id: String
    public var metadata: PodSandboxMetadata
    public var state: PodSandboxState
    public var createdAt: Int64
    /// The pod's primary IP and any further ones (dual stack).
    public var ip: String
    public var additionalIPs: [String]
    /// Path of the sandbox's network namespace (for a CNI executor or a debugger).
    public var networkNamespacePath: String
    public var namespaceOptions: NamespaceOption
    public var labels: [String: String]
    public var annotations: [String: String]
    public var runtimeHandler: String

    public init(
        id: String, metadata: PodSandboxMetadata, state: PodSandboxState, createdAt: Int64, ip: String = "",
        additionalIPs: [String] = [], networkNamespacePath: String = "", namespaceOptions: NamespaceOption = NamespaceOption(),
        labels: [String: String] = [:], annotations: [String: String] = [:], runtimeHandler: String = ""
    ) {
        self.id = id
        self.metadata = metadata
        self.state = state
        self.createdAt = createdAt
        self.ip = ip
        self.additionalIPs = additionalIPs
        self.networkNamespacePath = networkNamespacePath
        self.namespaceOptions = namespaceOptions
        self.labels = labels
        self.annotations = annotations
        self.runtimeHandler = runtimeHandler
    }
}
