import ContainerRuntime
import KubeAPI

extension NodeStatusBuilder {
    /// Upstream's `MaxNamesPerImageInNodeStatus`.
    public static let maxNamesPerImage = 5

    /// Upstream's `Images` setter: the largest `maxImages` images, each named by its digests then
    /// its tags (at most five names), with its size; a failed list (nil) reports none.
    public func setImages(_ status: inout CoreV1.NodeStatus?, images: [Image]?) {
        var current = status ?? CoreV1.NodeStatus()
        var sorted = (images ?? []).sorted { $0.size > $1.size }
        if settings.maxImages > -1, Int(settings.maxImages) < sorted.count { sorted = Array(sorted.prefix(Int(settings.maxImages))) }
        let listed = sorted.map { image in
            CoreV1.ContainerImage(
                names: Array((image.repoDigests + image.repoTags).prefix(Self.maxNamesPerImage)),
                sizeBytes: Int64(clamping: image.size))
        }
        current.images = listed.isEmpty ? nil : listed
        status = current
    }
}
