import ContainerRuntime
import Foundation
import Images
import NativeRuntime

/// The runtime's image half over the `Images` store: CRI ImageService calls (pull, status, list,
/// remove, filesystem usage) and the container root filesystems (`RootfsProvider`), with the
/// image config's Entrypoint, Cmd, Env, WorkingDir, User and StopSignal handed to the runtime,
/// which merges them with the container config as Kubernetes defines it.
public struct ImageStoreRuntimeImages: ImageService, RootfsProvider {
    /// The store served.
    public let store: ImageStore

    /// Serves `store`.
    public init(store: ImageStore) {
        self.store = store
    }

    // MARK: RootfsProvider

    /// The overlay of the image's layers with an upper and work directory of the container's own
    /// in the store (`scratchDirectory` is not needed: the store keeps them beside its layers).
    /// - Throws: `RuntimeError.notFound` when the store has no such image; the store's errors.
    public func prepareRootfs(image: ImageSpec, containerID: String, scratchDirectory: String) async throws -> (PreparedRootfs, ImageConfig, imageRef: String) {
        guard let stored = await store.image(for: image.image) else { throw RuntimeError.notFound(kind: "image", id: image.image) }
        let mount = try await store.prepareRootfs(stored, containerID: containerID)
        return (.overlay(lower: mount.lowerDirectories, upper: mount.upperDirectory, work: mount.workDirectory),
                Self.imageConfig(stored.defaults), stored.id.description)
    }

    /// Deletes the container's upper and work directories in the store.
    public func releaseRootfs(containerID: String) async throws {
        try await store.releaseRootfs(containerID: containerID)
    }

    /// The runtime's view of an image config.
    public static func imageConfig(_ defaults: ContainerDefaults) -> ImageConfig {
        ImageConfig(
            entrypoint: defaults.entrypoint ?? [], cmd: defaults.cmd ?? [], env: defaults.env ?? [],
            workingDir: defaults.workingDir ?? "", user: defaults.user ?? "", stopSignal: defaults.stopSignal ?? "")
    }

    // MARK: ImageService

    /// Pulls from the image's registry (or a mirror) and returns the image ID.
    public func pullImage(_ image: ImageSpec, auth: AuthConfig?, sandboxConfig: PodSandboxConfig?) async throws -> String {
        try await store.pull(image.image).id.description
    }

    public func imageStatus(_ image: ImageSpec) async throws -> CRIImage? {
        await store.image(for: image.image).map(Self.criImage)
    }

    public func listImages(filter: ImageSpec?) async throws -> [CRIImage] {
        guard let filter, !filter.image.isEmpty else { return await store.list().map(Self.criImage) }
        return await store.image(for: filter.image).map { [Self.criImage($0)] } ?? []
    }

    /// Removes the image; an image that is not there is not an error (CRI `RemoveImage`).
    public func removeImage(_ image: ImageSpec) async throws {
        guard await store.image(for: image.image) != nil else { return }
        try await store.remove(image.image)
    }

    /// The store's root with the bytes its images take. Blobs and layers only one image uses are
    /// counted exactly; of those several images share, the largest image's shared part stands in
    /// for all of them (the store reports usage per image, not per shared layer), so `usedBytes`
    /// is a lower bound that is exact when no two images share a layer.
    public func imageFsInfo() async throws -> ImageFsInfo {
        let usage = await store.usage()
        let exclusive = usage.reduce(Int64(0)) { $0 + $1.exclusiveBytes }
        let shared = usage.map { $0.totalBytes - $0.exclusiveBytes }.max() ?? 0
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        return ImageFsInfo(imageFilesystems: [
            FilesystemUsage(timestamp: now, mountpoint: store.root, usedBytes: UInt64(max(0, exclusive + shared)), inodesUsed: 0)
        ])
    }

    static func criImage(_ image: Images.Image) -> CRIImage {
        CRIImage(
            id: image.id.description, repoTags: image.names.filter { !$0.contains("@") }, repoDigests: image.repoDigests,
            size: UInt64(max(0, image.compressedSize)), user: image.defaults.user ?? "")
    }
}
