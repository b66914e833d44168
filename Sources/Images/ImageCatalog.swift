import Foundation

/// The index of images, unpacked layers and container snapshots, kept in one JSON file
/// (`<root>/index.json`) that is rewritten atomically (temporary file, fsync, rename) after every
/// change. An actor: every read and change is serialised.
actor ImageCatalog {
    /// The file's contents.
    struct Contents: Codable, Sendable {
        var version = 1
        var images: [Image] = []
        /// Unpacked bytes of each layer directory, by diff ID hex.
        var layerBytes: [String: Int64] = [:]
        /// Container ID → image ID of each prepared root filesystem.
        var snapshots: [String: Digest] = [:]
    }

    private let path: String
    private var contents: Contents

    init(path: String) throws(ImageError) {
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            contents = try JSONDocument.decode(data, source: path)
        } else {
            contents = Contents()
        }
    }

    var images: [Image] { contents.images }
    var snapshots: [String: Digest] { contents.snapshots }
    var layerBytes: [String: Int64] { contents.layerBytes }

    /// The image a string names: an ID (`sha256:…` or a hex prefix of at least 12 characters), a
    /// tagged name or a digest reference (normalised, so `busybox` finds `docker.io/library/busybox:latest`).
    func image(matching text: String) -> Image? {
        if let digest = try? Digest(parsing: text), let image = contents.images.first(where: { $0.id == digest }) {
            return image
        }
        if text.count >= 12, text.allSatisfy(\.isHexDigit) {
            let matches = contents.images.filter { $0.id.hex.hasPrefix(text.lowercased()) }
            if matches.count == 1 { return matches[0] }
        }
        guard let reference = try? ImageReference(parsing: text) else { return nil }
        if let digest = reference.digest {
            let pinned = reference.pinned(to: digest).description
            return contents.images.first {
                $0.repoDigests.contains(pinned) || ($0.manifestDigest == digest && $0.names.contains { $0.hasPrefix(reference.name + ":") })
            } ?? contents.images.first { $0.manifestDigest == digest || $0.indexDigest == digest }
        }
        return contents.images.first { $0.names.contains(reference.description) }
    }

    /// Adds `image`, or merges its names into the stored image with the same ID. A name moves:
    /// it is taken from any other image that had it.
    func add(_ image: Image) throws(ImageError) -> Image {
        for index in contents.images.indices where contents.images[index].id != image.id {
            contents.images[index].names.removeAll { image.names.contains($0) }
        }
        let merged: Image
        if let index = contents.images.firstIndex(where: { $0.id == image.id }) {
            var existing = contents.images[index]
            existing.names = Array(Set(existing.names + image.names)).sorted()
            existing.repoDigests = Array(Set(existing.repoDigests + image.repoDigests)).sorted()
            existing.lastUsed = max(existing.lastUsed, image.lastUsed)
            contents.images[index] = existing
            merged = existing
        } else {
            contents.images.append(image)
            merged = image
        }
        try save()
        return merged
    }

    /// Forgets the image; returns it.
    func remove(id: Digest) throws(ImageError) -> Image? {
        guard let index = contents.images.firstIndex(where: { $0.id == id }) else { return nil }
        let image = contents.images.remove(at: index)
        try save()
        return image
    }

    /// Removes one name from an image; returns the image as it is afterwards.
    func untag(id: Digest, name: String) throws(ImageError) -> Image? {
        guard let index = contents.images.firstIndex(where: { $0.id == id }) else { return nil }
        contents.images[index].names.removeAll { $0 == name }
        try save()
        return contents.images[index]
    }

    func recordLayer(diffID: Digest, bytes: Int64) throws(ImageError) {
        contents.layerBytes[diffID.hex] = bytes
        try save()
    }

    func forgetLayer(diffID: Digest) throws(ImageError) {
        contents.layerBytes[diffID.hex] = nil
        try save()
    }

    func recordSnapshot(container: String, image: Digest, at date: Date) throws(ImageError) {
        contents.snapshots[container] = image
        if let index = contents.images.firstIndex(where: { $0.id == image }) { contents.images[index].lastUsed = date }
        try save()
    }

    func forgetSnapshot(container: String) throws(ImageError) {
        contents.snapshots[container] = nil
        try save()
    }

    private func save() throws(ImageError) {
        try Syscall.writeAtomically(JSONDocument.encode(contents), to: path)
    }
}
