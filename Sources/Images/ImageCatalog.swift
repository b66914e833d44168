import Foundation

/// The index of images and unpacked layers, kept in one JSON file (`<root>/index.json`) that is
/// rewritten atomically (temporary file, fsync, rename) after every change, and the container
/// snapshots with the images' last use, kept beside it in `snapshots.json`.
///
/// The snapshot file changes on every container start and removal, so it is replaced without an
/// fsync: an fsync there cost tens of milliseconds (and 600 ms under load) on each start. Only a
/// crash of the node can lose an unsynced change, and that crash also ended the containers it
/// names; a snapshot file torn by it reads as empty.
///
/// An actor: every read and change in this process is serialised. Other processes (the agent and
/// a `swiftlet images` command) share the files: a change is made under an exclusive `flock` on
/// `index.json.lock` on freshly read contents, and reads reload a file another process replaced.
actor ImageCatalog {
    /// The index file's contents.
    struct Contents: Codable, Sendable {
        var version = 1
        var images: [Image] = []
        /// Unpacked bytes of each layer directory, by diff ID hex.
        var layerBytes: [String: Int64] = [:]
        /// Snapshots as catalogs before `snapshots.json` kept them here; moved out on first use.
        var snapshots: [String: Digest] = [:]
    }

    /// The snapshot file's contents.
    struct Usage: Codable, Sendable {
        /// Container ID → image ID of each prepared root filesystem.
        var snapshots: [String: Digest] = [:]
        /// Image ID → when a container was last prepared from it (newer than the index's `lastUsed`).
        var lastUsed: [String: Date] = [:]
    }

    private let path: String
    private let usagePath: String
    private let lockDescriptor: Int32
    private var contents = Contents()
    private var usage = Usage()
    /// Identity of each file last read or written (inode and modification time).
    private var loadedVersion: [Int] = []
    private var loadedUsageVersion: [Int] = []
    /// Digests that work in progress in this process holds on to (counted, as pulls may overlap).
    private var pins: [Digest: Int] = [:]

    init(path: String) throws(ImageError) {
        let usagePath = (path as NSString).deletingLastPathComponent + "/snapshots.json"
        let lock = try Syscall.check("open", path + ".lock") { open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        var contents = Contents()
        var usage = Self.readUsage(usagePath)
        do {
            contents = try Self.read(path) ?? Contents()
            if !contents.snapshots.isEmpty {
                try Syscall.check("flock", path + ".lock") { flock(lock, LOCK_EX) }
                defer { flock(lock, LOCK_UN) }
                try Self.moveLegacySnapshots(contents: &contents, usage: &usage, path: path, usagePath: usagePath)
            }
        } catch {
            close(lock)
            throw error
        }
        self.path = path
        self.usagePath = usagePath
        lockDescriptor = lock
        self.contents = contents
        self.usage = usage
        loadedVersion = Self.version(of: path)
        loadedUsageVersion = Self.version(of: usagePath)
    }

    deinit { close(lockDescriptor) }

    /// The images, with the last use the snapshot file knows of.
    var images: [Image] {
        let lastUsed = refreshedUsage().lastUsed
        return refreshed().images.map { image in
            var image = image
            if let used = lastUsed[image.id.description] { image.lastUsed = max(image.lastUsed, used) }
            return image
        }
    }
    var snapshots: [String: Digest] { refreshedUsage().snapshots }
    var layerBytes: [String: Int64] { refreshed().layerBytes }

    /// The image a string names: an ID (`sha256:…` or a hex prefix of at least 12 characters), a
    /// tagged name or a digest reference (normalised, so `busybox` finds `docker.io/library/busybox:latest`).
    func image(matching text: String) -> Image? {
        let contents = refreshed()
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
        try update { contents in Self.add(image, to: &contents) }
    }

    private static func add(_ image: Image, to contents: inout Contents) -> Image {
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
        return merged
    }

    /// Forgets the image; returns it.
    func remove(id: Digest) throws(ImageError) -> Image? {
        try update { contents in
            guard let index = contents.images.firstIndex(where: { $0.id == id }) else { return nil }
            return contents.images.remove(at: index)
        }
    }

    /// Removes one name from an image; returns the image as it is afterwards.
    func untag(id: Digest, name: String) throws(ImageError) -> Image? {
        try update { contents in
            guard let index = contents.images.firstIndex(where: { $0.id == id }) else { return nil }
            contents.images[index].names.removeAll { $0 == name }
            return contents.images[index]
        }
    }

    func recordLayer(diffID: Digest, bytes: Int64) throws(ImageError) {
        try update { $0.layerBytes[diffID.hex] = bytes }
    }

    func forgetLayer(diffID: Digest) throws(ImageError) {
        try update { $0.layerBytes[diffID.hex] = nil }
    }

    func recordSnapshot(container: String, image: Digest, at date: Date) throws(ImageError) {
        try updateUsage { usage in
            usage.snapshots[container] = image
            usage.lastUsed[image.description] = date
        }
    }

    func forgetSnapshot(container: String) throws(ImageError) {
        try updateUsage { $0.snapshots[container] = nil }
    }

    // MARK: Pins

    var pinned: Set<Digest> { Set(pins.keys) }

    func pin(_ digests: [Digest]) {
        for digest in digests { pins[digest, default: 0] += 1 }
    }

    func unpin(_ digests: [Digest]) {
        for digest in digests {
            let count = (pins[digest] ?? 1) - 1
            pins[digest] = count > 0 ? count : nil
        }
    }

    // MARK: The file

    /// Applies `change` to the file's current contents under the exclusive lock and writes the result.
    private func update<T>(_ change: (inout Contents) -> T) throws(ImageError) -> T {
        try Syscall.check("flock", path + ".lock") { flock(lockDescriptor, LOCK_EX) }
        defer { flock(lockDescriptor, LOCK_UN) }
        if Self.version(of: path) != loadedVersion, let current = try Self.read(path) { contents = current }
        let result = change(&contents)
        try Syscall.writeAtomically(JSONDocument.encode(contents), to: path)
        loadedVersion = Self.version(of: path)
        return result
    }

    /// Applies `change` to the snapshot file's current contents under the exclusive lock and
    /// replaces the file, without an fsync (see the type's comment).
    private func updateUsage(_ change: (inout Usage) -> Void) throws(ImageError) {
        try Syscall.check("flock", path + ".lock") { flock(lockDescriptor, LOCK_EX) }
        defer { flock(lockDescriptor, LOCK_UN) }
        if Self.version(of: usagePath) != loadedUsageVersion { usage = Self.readUsage(usagePath) }
        change(&usage)
        try Syscall.writeAtomically(JSONDocument.encode(usage), to: usagePath, durable: false)
        loadedUsageVersion = Self.version(of: usagePath)
    }

    /// Moves the snapshots an older catalog kept in the index into the snapshot file (under the
    /// lock, on freshly read files).
    private static func moveLegacySnapshots(contents: inout Contents, usage: inout Usage, path: String, usagePath: String) throws(ImageError) {
        contents = try read(path) ?? contents
        usage = readUsage(usagePath)
        usage.snapshots.merge(contents.snapshots) { current, _ in current }
        try Syscall.writeAtomically(JSONDocument.encode(usage), to: usagePath)
        contents.snapshots = [:]
        try Syscall.writeAtomically(JSONDocument.encode(contents), to: path)
    }

    /// The snapshot file's contents, reloaded first if another process replaced it.
    private func refreshedUsage() -> Usage {
        let version = Self.version(of: usagePath)
        if version != loadedUsageVersion {
            usage = Self.readUsage(usagePath)
            loadedUsageVersion = version
        }
        return usage
    }

    /// The snapshot file; empty when missing or unreadable (torn by a crash of the node, which
    /// also ended every container it named).
    private static func readUsage(_ path: String) -> Usage {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty,
              let usage: Usage = try? JSONDocument.decode(data, source: path) else { return Usage() }
        return usage
    }

    /// The contents, reloaded first if another process replaced the file. A file that cannot be
    /// read now leaves the last good contents in use; the next change reports the problem.
    private func refreshed() -> Contents {
        let version = Self.version(of: path)
        if version != loadedVersion, let current = try? Self.read(path) {
            contents = current
            loadedVersion = version
        }
        return contents
    }

    private static func read(_ path: String) throws(ImageError) -> Contents? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try JSONDocument.decode(data, source: path)
    }

    private static func version(of path: String) -> [Int] {
        guard let info = try? Syscall.lstat(path) else { return [] }
        return [Int(info.st_ino), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_size)]
    }
}
