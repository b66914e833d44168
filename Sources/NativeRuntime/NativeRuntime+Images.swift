import ContainerRuntime

/// The image half is the configured image service's (the `Images` store in production).
extension NativeRuntime {
    public func pullImage(_ image: ImageSpec, auth: AuthConfig?, sandboxConfig: PodSandboxConfig?) async throws -> String {
        try await configuration.images.pullImage(image, auth: auth, sandboxConfig: sandboxConfig)
    }

    public func imageStatus(_ image: ImageSpec) async throws -> Image? {
        try await configuration.images.imageStatus(image)
    }

    public func listImages(filter: ImageSpec?) async throws -> [Image] {
        try await configuration.images.listImages(filter: filter)
    }

    public func removeImage(_ image: ImageSpec) async throws {
        try await configuration.images.removeImage(image)
    }

    public func imageFsInfo() async throws -> ImageFsInfo {
        try await configuration.images.imageFsInfo()
    }
}
