import ContainerRuntime
import Glibc

/// Images that are plain directories on the node, each with its image config: for tests, for
/// measuring the start path, and for nodes without a registry. A container gets an overlay with
/// the directory as its only lower layer, so the directory itself is never written.
public actor DirectoryImageStore: ImageService, RootfsProvider {
    public struct Entry: Sendable {
        public var directory: String
        public var config: ImageConfig
        public init(directory: String, config: ImageConfig) {
            self.directory = directory
            self.config = config
        }
    }

    private var entries: [String: Entry]
    private let useOverlay: Bool

    /// `images` maps a reference (e.g. `busybox:latest`) to its directory and config. With
    /// `useOverlay` false, containers share the directory itself as their writable root.
    public init(images: [String: Entry], useOverlay: Bool = true) {
        self.entries = images
        self.useOverlay = useOverlay
    }

    /// Adds or replaces an image.
    public func add(_ reference: String, _ entry: Entry) { entries[reference] = entry }

    private static func imageID(_ reference: String) -> String {
        "sha256:" + String(repeating: "0", count: 48) + reference.fnv1aHex
    }

    private func lookup(_ image: ImageSpec) -> (String, Entry)? {
        if let entry = entries[image.image] { return (image.image, entry) }
        return entries.first { Self.imageID($0.key) == image.image }.map { ($0.key, $0.value) }
    }

    /// The directories are made outside the actor, on the caller's task: on a busy disk each
    /// costs milliseconds, which containers created at once would otherwise wait for one after
    /// another (and a thread of their own would add a wake-up to every start).
    public nonisolated func prepareRootfs(
        image: ImageSpec, containerID: String, scratchDirectory: String
    ) async throws -> (PreparedRootfs, ImageConfig, imageRef: String) {
        guard let (reference, entry, overlay) = await lookupForRootfs(image) else {
            throw RuntimeError.notFound(kind: "image", id: image.image)
        }
        guard overlay else { return (.directory(entry.directory), entry.config, Self.imageID(reference)) }
        let upper = scratchDirectory + "/upper", work = scratchDirectory + "/work"
        try FileSystem.makeDirectories(upper)
        try FileSystem.makeDirectories(work)
        return (.overlay(lower: [entry.directory], upper: upper, work: work), entry.config, Self.imageID(reference))
    }

    private func lookupForRootfs(_ image: ImageSpec) -> (String, Entry, overlay: Bool)? {
        lookup(image).map { ($0.0, $0.1, useOverlay) }
    }

    public func releaseRootfs(containerID: String) async throws {}

    public func pullImage(_ image: ImageSpec, auth: AuthConfig?, sandboxConfig: PodSandboxConfig?) async throws -> String {
        guard let (reference, _) = lookup(image) else { throw RuntimeError.notFound(kind: "image", id: image.image) }
        return Self.imageID(reference)
    }

    public func imageStatus(_ image: ImageSpec) async throws -> Image? {
        lookup(image).map { Image(id: Self.imageID($0.0), repoTags: [$0.0], user: $0.1.config.user) }
    }

    public func listImages(filter: ImageSpec?) async throws -> [Image] {
        entries.filter { filter == nil || $0.key == filter?.image || Self.imageID($0.key) == filter?.image }
            .map { Image(id: Self.imageID($0.key), repoTags: [$0.key], user: $0.value.config.user) }
            .sorted { $0.id < $1.id }
    }

    public func removeImage(_ image: ImageSpec) async throws {
        if let (reference, _) = lookup(image) { entries[reference] = nil }
    }

    public func imageFsInfo() async throws -> ImageFsInfo {
        ImageFsInfo(imageFilesystems: [])
    }
}
