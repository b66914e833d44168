/// An image reference (CRI `ImageSpec`): a name such as `docker.io/library/busybox:1.36`, a
/// digest reference, or an image ID.
public struct ImageSpec: Sendable, Equatable, Hashable, Codable {
    public var image: String
    public var annotations: [String: String]

    public init(_ image: String, annotations: [String: String] = [:]) {
        self.image = image
        self.annotations = annotations
    }
}

/// An image present on the node (CRI `Image`).
public struct Image: Sendable, Equatable, Identifiable {
    public var id: String
    public var repoTags: [String]
    public var repoDigests: [String]
    public var size: UInt64
    /// The image config's user (`User`), if any: a UID or a name.
    public var user: String
    public var pinned: Bool

    public init(id: String, repoTags: [String] = [], repoDigests: [String] = [], size: UInt64 = 0, user: String = "", pinned: Bool = false) {
        self.id = id
        self.repoTags = repoTags
        self.repoDigests = repoDigests
        self.size = size
        self.user = user
        self.pinned = pinned
    }
}

/// Registry credentials (CRI `AuthConfig`).
public struct AuthConfig: Sendable, Equatable {
    public var username: String
    public var password: String
    public var auth: String
    public var serverAddress: String
    public var identityToken: String
    public var registryToken: String

    public init(
        username: String = "", password: String = "", auth: String = "", serverAddress: String = "",
        identityToken: String = "", registryToken: String = ""
    ) {
        self.username = username
        self.password = password
        self.auth = auth
        self.serverAddress = serverAddress
        self.identityToken = identityToken
        self.registryToken = registryToken
    }
}

/// Usage of the filesystems holding images and writable layers (CRI `ImageFsInfoResponse`).
public struct ImageFsInfo: Sendable, Equatable {
    public var imageFilesystems: [FilesystemUsage]
    public var containerFilesystems: [FilesystemUsage]

    public init(imageFilesystems: [FilesystemUsage], containerFilesystems: [FilesystemUsage] = []) {
        self.imageFilesystems = imageFilesystems
        self.containerFilesystems = containerFilesystems
    }
}

/// CRI `FilesystemUsage`.
public struct FilesystemUsage: Sendable, Equatable {
    public var timestamp: Int64
    /// The mount point of the filesystem.
    public var mountpoint: String
    public var usedBytes: UInt64
    public var inodesUsed: UInt64

    public init(timestamp: Int64, mountpoint: String, usedBytes: UInt64, inodesUsed: UInt64) {
        self.timestamp = timestamp
        self.mountpoint = mountpoint
        self.usedBytes = usedBytes
        self.inodesUsed = inodesUsed
    }
}
