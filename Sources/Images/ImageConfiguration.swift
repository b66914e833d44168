import Foundation

/// An image configuration blob (`application/vnd.oci.image.config.v1+json`, the same for Docker):
/// the platform, the root filesystem's layer diff IDs and the default process settings.
public struct ImageConfiguration: Hashable, Sendable, Codable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var variant: String?
    public var config: ContainerDefaults?
    public var rootfs: RootFS
    public var history: [History]?

    public init(platform: Platform, config: ContainerDefaults?, diffIDs: [Digest], created: String? = nil) {
        self.architecture = platform.architecture
        self.os = platform.os
        self.variant = platform.variant
        self.config = config
        self.rootfs = RootFS(type: "layers", diffIDs: diffIDs)
        self.created = created
    }

    /// The platform the image says it is for.
    public var platform: Platform { Platform(os: os, architecture: architecture, variant: variant) }

    /// The root filesystem: the digests of the uncompressed layers, bottom first.
    public struct RootFS: Hashable, Sendable, Codable {
        public var type: String
        public var diffIDs: [Digest]
        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    /// One step of the image's build history.
    public struct History: Hashable, Sendable, Codable {
        public var created: String?
        public var createdBy: String?
        public var comment: String?
        public var emptyLayer: Bool?
        enum CodingKeys: String, CodingKey {
            case created, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
    }

    /// Decodes and checks a configuration: `rootfs.type` must be `layers`.
    public static func decode(_ data: Data, source: String) throws(ImageError) -> ImageConfiguration {
        let configuration: ImageConfiguration = try JSONDocument.decode(data, source: source)
        guard configuration.rootfs.type == "layers" else {
            throw .invalidDocument(source: source, field: "rootfs.type", expected: "\"layers\", got \"\(configuration.rootfs.type)\"")
        }
        return configuration
    }
}

/// The process defaults an image gives its containers (the `config` object of an image
/// configuration). Field names follow the image spec, which keeps Docker's capitalisation.
public struct ContainerDefaults: Hashable, Sendable, Codable {
    public var user: String?
    public var exposedPorts: [String: EmptyObject]?
    public var env: [String]?
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var volumes: [String: EmptyObject]?
    public var workingDir: String?
    public var labels: [String: String]?
    public var stopSignal: String?
    public var argsEscaped: Bool?

    enum CodingKeys: String, CodingKey {
        case user = "User"
        case exposedPorts = "ExposedPorts"
        case env = "Env"
        case entrypoint = "Entrypoint"
        case cmd = "Cmd"
        case volumes = "Volumes"
        case workingDir = "WorkingDir"
        case labels = "Labels"
        case stopSignal = "StopSignal"
        case argsEscaped = "ArgsEscaped"
    }

    public init(
        user: String? = nil, exposedPorts: [String: EmptyObject]? = nil, env: [String]? = nil, entrypoint: [String]? = nil,
        cmd: [String]? = nil, volumes: [String: EmptyObject]? = nil, workingDir: String? = nil, labels: [String: String]? = nil,
        stopSignal: String? = nil
    ) {
        self.user = user
        self.exposedPorts = exposedPorts
        self.env = env
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.volumes = volumes
        self.workingDir = workingDir
        self.labels = labels
        self.stopSignal = stopSignal
    }

    /// The exposed ports as `port/protocol` strings, sorted (`80/tcp`).
    public var exposedPortList: [String] { (exposedPorts ?? [:]).keys.sorted() }
}

/// The `{}` the image spec uses as the value of set-like maps (`ExposedPorts`, `Volumes`).
public struct EmptyObject: Hashable, Sendable, Codable {
    public init() {}
}
