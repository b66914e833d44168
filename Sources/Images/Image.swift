import Foundation

/// An image in the store: what was pulled or imported, the layers it needs, and its usage.
public struct Image: Sendable, Hashable, Codable, Identifiable {
    /// The image ID: the digest of its configuration blob (as Docker and CRI report it).
    public var id: Digest
    /// Tagged names, fully qualified (`docker.io/library/busybox:1.36`).
    public var names: [String]
    /// Digest references (`docker.io/library/busybox@sha256:…`): the index digest when the image
    /// came through an index, else the manifest digest.
    public var repoDigests: [String]
    /// The digest of the platform manifest.
    public var manifestDigest: Digest
    /// The digest of the index it was chosen from, if any.
    public var indexDigest: Digest?
    /// The image configuration: platform, diff IDs and the container defaults.
    public var configuration: ImageConfiguration
    /// The layers, bottom first.
    public var layers: [ImageLayer]
    /// When the image entered the store.
    public var addedAt: Date
    /// The last time a container root filesystem was prepared from it (or when it was added).
    public var lastUsed: Date

    /// The process defaults (Entrypoint, Cmd, Env, WorkingDir, User, StopSignal, ExposedPorts, Labels).
    public var defaults: ContainerDefaults { configuration.config ?? ContainerDefaults() }

    /// The sum of the compressed layer sizes, as registries report image size.
    public var compressedSize: Int64 { layers.reduce(0) { $0 + $1.blob.size } }
}

/// One layer of an image: its compressed blob and the digest of its uncompressed tar.
public struct ImageLayer: Sendable, Hashable, Codable {
    /// The blob as the manifest describes it.
    public var blob: Descriptor
    /// The digest of the uncompressed tar (the directory it is unpacked into is named after it).
    public var diffID: Digest
    /// The chain ID: the identity of this layer stacked on all below it.
    public var chainID: Digest
}

extension ImageLayer {
    /// The chain IDs of a list of diff IDs, bottom first: `chain[0] = diff[0]`,
    /// `chain[n] = sha256(chain[n-1] + " " + diff[n])`.
    public static func chainIDs(_ diffIDs: [Digest]) -> [Digest] {
        var chain: [Digest] = []
        for diffID in diffIDs {
            if let previous = chain.last {
                chain.append(Digest(of: Data("\(previous) \(diffID)".utf8)))
            } else {
                chain.append(diffID)
            }
        }
        return chain
    }
}

/// How much disk an image uses, for garbage collection.
public struct ImageUsage: Sendable, Hashable {
    public var id: Digest
    public var names: [String]
    /// Bytes of blobs and unpacked layers this image uses, shared ones included.
    public var totalBytes: Int64
    /// Bytes that no other image uses: what removing it would free.
    public var exclusiveBytes: Int64
    public var lastUsed: Date
    /// Containers whose root filesystems use it.
    public var containers: [String]
}

/// What a pull reports while it runs.
public enum PullProgress: Sendable, Equatable {
    /// The manifest is known: how many layers and bytes are to be fetched.
    case resolved(reference: String, manifest: Digest, layers: Int, totalBytes: Int64, cachedBytes: Int64)
    /// Bytes of one layer received so far.
    case downloading(layer: Digest, completed: Int64, total: Int64)
    /// A layer is being unpacked.
    case unpacking(layer: Digest)
    /// A layer is ready (downloaded and unpacked, or already there).
    case layerReady(layer: Digest)
    /// The image is in the store.
    case done(image: Digest)
}

extension Date {
    /// Now, truncated to whole seconds: the index stores ISO 8601 times, so a stored date compares
    /// equal to the one read back.
    static func wholeSeconds() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
