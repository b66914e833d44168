import ContainerRuntime

/// The image facts a runtime needs to run a container (from the OCI image config).
public struct ImageConfig: Sendable, Equatable, Codable {
    public var entrypoint: [String]
    public var cmd: [String]
    /// `KEY=value` entries.
    public var env: [String]
    public var workingDir: String
    /// `uid`, `uid:gid`, `name` or `name:group`; empty for root.
    public var user: String
    /// E.g. `SIGQUIT`; empty for SIGTERM.
    public var stopSignal: String

    public init(entrypoint: [String] = [], cmd: [String] = [], env: [String] = [], workingDir: String = "", user: String = "", stopSignal: String = "") {
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.stopSignal = stopSignal
    }
}

/// A container's root filesystem, ready to be mounted by the init path.
public enum PreparedRootfs: Sendable, Equatable, Codable {
    /// Use this directory as it is (the container writes into it).
    case directory(String)
    /// Mount overlayfs with these lower directories (topmost first) and this upper and work
    /// directory; the init path mounts it in the container's own mount namespace.
    case overlay(lower: [String], upper: String, work: String)

    /// The directories to read image files such as `/etc/passwd` from, topmost first.
    var readableLayers: [String] {
        switch self {
        case .directory(let path): [path]
        case .overlay(let lower, let upper, _): [upper] + lower
        }
    }
}

/// Seam to the image store: prepares a container's root filesystem from an image.
/// `Images` (overlay snapshots) implements it; `DirectoryImageStore` does for tests.
public protocol RootfsProvider: Sendable {
    /// Prepares the rootfs of container `containerID` from `image`. `scratchDirectory` is a path on
    /// the runtime's state disk, not yet created, that the provider may create for upper and work
    /// directories; the runtime removes it with the container.
    func prepareRootfs(image: ImageSpec, containerID: String, scratchDirectory: String) async throws -> (PreparedRootfs, ImageConfig, imageRef: String)
    /// Releases what `prepareRootfs` made for the container (after the container is removed).
    func releaseRootfs(containerID: String) async throws
}
