/// The image half of CRI v1.
public protocol ImageService: Sendable {
    /// Pulls an image and returns its reference (an image ID or digest reference).
    func pullImage(_ image: ImageSpec, auth: AuthConfig?, sandboxConfig: PodSandboxConfig?) async throws -> String
    /// The image, or `nil` when it is not present (CRI returns an empty status, not an error).
    func imageStatus(_ image: ImageSpec) async throws -> Image?
    /// The images present, optionally only those matching `filter`.
    func listImages(filter: ImageSpec?) async throws -> [Image]
    /// Removes an image. Idempotent.
    func removeImage(_ image: ImageSpec) async throws
    /// Usage of the filesystems holding images.
    func imageFsInfo() async throws -> ImageFsInfo
}
