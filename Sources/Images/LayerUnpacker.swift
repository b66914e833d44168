import CLinuxFS
import Foundation

/// Unpacks one layer's tar stream into a directory, refusing anything that would write outside it.
///
/// Paths are cleaned lexically (`a/./b`, `a/../b`); an entry is refused when it is absolute, when
/// `..` climbs above the root, or when reaching it means following a symbolic link whose target is
/// absolute or climbs above the root. Relative links that stay inside are followed, resolved
/// against the directory being unpacked into, never against the host. Hard links may only point at
/// entries already unpacked inside the root.
///
/// Whiteouts (`.wh.NAME`) and opaque markers (`.wh..wh..opq`) are either turned into overlayfs's
/// form (a 0/0 character device, the `trusted.overlay.opaque` attribute), for layers that are
/// stacked by an overlay mount, or applied by deleting from the directory, for a flattened
/// root filesystem.
public struct LayerUnpacker {
    /// What to do with whiteouts.
    public enum WhiteoutMode: Sendable {
        /// Keep them as overlayfs whiteouts: the layer directory becomes an overlay lower layer.
        case overlay
        /// Delete what they name: the layer is applied on top of the layers below it in place.
        case apply
    }

    /// What unpacking a layer produced.
    public struct Summary: Sendable, Equatable {
        /// The digest of the uncompressed tar stream (the layer's diff ID).
        public var diffID: Digest
        /// Entries applied, whiteouts included.
        public var entries: Int
        /// Bytes of regular file content written.
        public var contentBytes: Int64
    }

    private let root: String
    private let mode: WhiteoutMode
    private let layerName: String
    private let ownership: Bool
    private var created: Set<String> = []
    private var directoryTimes: [(path: String, seconds: Int64)] = []
    private var entries = 0
    private var contentBytes: Int64 = 0

    static let whiteoutPrefix = ".wh."
    static let opaqueMarker = ".wh..wh..opq"

    /// An unpacker writing into `root` (which must exist). `layerName` names the layer in errors.
    /// Ownership from the archive is applied only when running as root.
    public init(root: String, mode: WhiteoutMode, layerName: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.mode = mode
        self.layerName = layerName
        self.ownership = geteuid() == 0
    }

    /// Unpacks the (possibly compressed) layer blob at `blobPath`; the compression is detected from
    /// its first bytes. Returns the summary with the diff ID computed while reading; the caller
    /// compares it with the image configuration.
    public static func unpack(blobAt blobPath: String, into root: String, mode: WhiteoutMode, layerName: String)
        throws(ImageError) -> Summary
    {
        let file = try FileSource(path: blobPath)
        let tarStream = HashingSource(try LayerCompression.autodetect(file, name: layerName))
        var unpacker = LayerUnpacker(root: root, mode: mode, layerName: layerName)
        try unpacker.unpack(TarReader(tarStream, name: layerName))
        try tarStream.drain()
        return Summary(diffID: tarStream.digest, entries: unpacker.entries, contentBytes: unpacker.contentBytes)
    }

    /// Applies every entry of `reader`, then the directories' modification times.
    mutating func unpack(_ reader: TarReader) throws(ImageError) {
        while let entry = try reader.next() {
            try apply(entry, reader: reader)
            entries += 1
        }
        for (path, seconds) in directoryTimes.reversed() {
            try setTimes(path, seconds: seconds)
        }
    }

    // MARK: Entries

    private mutating func apply(_ entry: TarEntry, reader: TarReader) throws(ImageError) {
        let components = try clean(entry.path, what: "path")
        guard let name = components.last else {
            // The archive's root ("./"): only its metadata applies.
            if entry.kind == .directory { try applyMetadata(entry, at: root, isDirectory: true) }
            return
        }
        let parent = try resolve(Array(components.dropLast()), entryPath: entry.path)
        try makeParents(parent)
        let parentPath = path(parent)

        if name == Self.opaqueMarker {
            try applyOpaque(directory: parentPath, relative: parent)
            return
        }
        if name.hasPrefix(Self.whiteoutPrefix) {
            let hidden = String(name.dropFirst(Self.whiteoutPrefix.count))
            guard !hidden.isEmpty, hidden != ".", hidden != ".." else {
                throw .unsafeLayerEntry(path: entry.path, reason: "a whiteout must name a file", layer: layerName)
            }
            try applyWhiteout(parent + [hidden])
            return
        }

        let relative = parent + [name]
        let target = path(relative)
        try clearForEntry(target, isDirectory: entry.kind == .directory)
        switch entry.kind {
        case .regular:
            try writeRegularFile(entry, at: target, reader: reader)
        case .directory:
            if try Syscall.lstat(target) == nil {
                try Syscall.check("mkdir", target) { mkdir(target, 0o700) }
            }
            try applyMetadata(entry, at: target, isDirectory: true)
        case .symbolicLink:
            guard !entry.linkName.isEmpty else {
                throw .unsafeLayerEntry(path: entry.path, reason: "a symbolic link without a target", layer: layerName)
            }
            try Syscall.check("symlink", target) { symlink(entry.linkName, target) }
            try applyMetadata(entry, at: target, isDirectory: false, isSymlink: true)
        case .hardLink:
            let linkComponents = try clean(entry.linkName, what: "hard link target")
            guard !linkComponents.isEmpty else {
                throw .unsafeLayerEntry(path: entry.path, reason: "a hard link to the root", layer: layerName)
            }
            let resolvedParent = try resolve(Array(linkComponents.dropLast()), entryPath: entry.path)
            let source = path(resolvedParent + [linkComponents.last!])
            guard let info = try Syscall.lstat(source), info.st_mode & S_IFMT != S_IFDIR else {
                throw .unsafeLayerEntry(
                    path: entry.path, reason: "hard link target \"\(entry.linkName)\" is not a file unpacked earlier in this layer",
                    layer: layerName)
            }
            try Syscall.check("link", target) { linkat(AT_FDCWD, source, AT_FDCWD, target, 0) }
        case .characterDevice, .blockDevice:
            let type = entry.kind == .characterDevice ? S_IFCHR : S_IFBLK
            try Syscall.check("mknod", target) {
                mknod(target, type | mode_t(entry.mode & 0o777), Self.makeDevice(entry.deviceMajor, entry.deviceMinor))
            }
            try applyMetadata(entry, at: target, isDirectory: false)
        case .fifo:
            try Syscall.check("mkfifo", target) { mkfifo(target, mode_t(entry.mode & 0o777)) }
            try applyMetadata(entry, at: target, isDirectory: false)
        }
        created.insert(relative.joined(separator: "/"))
    }

    private mutating func writeRegularFile(_ entry: TarEntry, at target: String, reader: TarReader) throws(ImageError) {
        let fd = try Syscall.check("open", target) { open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        defer { close(fd) }
        try reader.readContent { (chunk) throws(ImageError) in try Syscall.writeAll(fd, chunk, path: target) }
        contentBytes += entry.size
        if ownership { try Syscall.check("fchown", target) { fchown(fd, uid_t(entry.uid), gid_t(entry.gid)) } }
        // After chown, which clears setuid and setgid bits.
        try Syscall.check("fchmod", target) { fchmod(fd, mode_t(entry.mode)) }
        for (name, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) where Self.mayApply(xattr: name) {
            try Syscall.check("fsetxattr \(name)", target) { fsetxattr(fd, name, value, value.count, 0) }
        }
        var times = [timespec(tv_sec: Int(entry.modificationTime), tv_nsec: 0), timespec(tv_sec: Int(entry.modificationTime), tv_nsec: 0)]
        try Syscall.check("futimens", target) { futimens(fd, &times) }
    }

    private mutating func applyMetadata(_ entry: TarEntry, at target: String, isDirectory: Bool, isSymlink: Bool = false)
        throws(ImageError)
    {
        if ownership {
            try Syscall.check("lchown", target) { lchown(target, uid_t(entry.uid), gid_t(entry.gid)) }
        }
        if !isSymlink {
            try Syscall.check("chmod", target) { chmod(target, mode_t(entry.mode)) }
        }
        for (name, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) where Self.mayApply(xattr: name) {
            // Linux allows only trusted.* and security.* attributes on symbolic links.
            if isSymlink, name.hasPrefix("user.") { continue }
            try Syscall.check("lsetxattr \(name)", target) { lsetxattr(target, name, value, value.count, 0) }
        }
        if isDirectory {
            directoryTimes.append((target, entry.modificationTime))
        } else {
            try setTimes(target, seconds: entry.modificationTime)
        }
    }

    /// Attributes that steer overlayfs itself are never taken from an archive.
    private static func mayApply(xattr name: String) -> Bool { !name.hasPrefix("trusted.overlay.") }

    private func setTimes(_ target: String, seconds: Int64) throws(ImageError) {
        var times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
        try Syscall.check("utimensat", target) { utimensat(AT_FDCWD, target, &times, AT_SYMLINK_NOFOLLOW) }
    }

    // MARK: Whiteouts

    private mutating func applyWhiteout(_ relative: [String]) throws(ImageError) {
        let key = relative.joined(separator: "/")
        // A whiteout hides only what lower layers have, never what this layer adds.
        guard !created.contains(key) else { return }
        let target = path(relative)
        try Syscall.removeTree(target)
        if mode == .overlay {
            try Syscall.check("mknod", target) { mknod(target, S_IFCHR, Self.makeDevice(0, 0)) }
        }
    }

    private mutating func applyOpaque(directory: String, relative: [String]) throws(ImageError) {
        switch mode {
        case .overlay:
            let value: [UInt8] = Array("y".utf8)
            try Syscall.check("lsetxattr trusted.overlay.opaque", directory) {
                lsetxattr(directory, "trusted.overlay.opaque", value, value.count, 0)
            }
        case .apply:
            let prefix = relative.isEmpty ? "" : relative.joined(separator: "/") + "/"
            for child in try Syscall.directoryEntries(directory) where !created.contains(prefix + child) {
                try Syscall.removeTree(directory + "/" + child)
            }
        }
    }

    // MARK: Paths

    /// Splits a path from the archive into components, dropping `.` and resolving `..` lexically.
    private func clean(_ raw: String, what: String) throws(ImageError) -> [String] {
        guard !raw.hasPrefix("/") else {
            throw .unsafeLayerEntry(path: raw, reason: "the \(what) is absolute", layer: layerName)
        }
        guard !raw.utf8.contains(0) else {
            throw .unsafeLayerEntry(path: raw, reason: "the \(what) contains a NUL byte", layer: layerName)
        }
        var components: [String] = []
        for component in raw.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard !components.isEmpty else {
                    throw .unsafeLayerEntry(path: raw, reason: "the \(what) climbs out of the root with ..", layer: layerName)
                }
                components.removeLast()
            default: components.append(String(component))
            }
        }
        return components
    }

    /// Resolves a directory path inside the root, following relative symbolic links that stay inside
    /// and refusing absolute ones and ones that climb out.
    private func resolve(_ components: [String], entryPath: String) throws(ImageError) -> [String] {
        var resolved: [String] = []
        var pending = ArraySlice(components)
        var hops = 0
        while let component = pending.first {
            pending = pending.dropFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard !resolved.isEmpty else {
                    throw .unsafeLayerEntry(path: entryPath, reason: "a symbolic link on its path climbs out of the root", layer: layerName)
                }
                resolved.removeLast()
                continue
            }
            let candidate = resolved + [component]
            guard let info = try Syscall.lstat(path(candidate)), info.st_mode & S_IFMT == S_IFLNK else {
                resolved = candidate
                continue
            }
            hops += 1
            guard hops <= 40 else {
                throw .unsafeLayerEntry(path: entryPath, reason: "too many symbolic links on its path", layer: layerName)
            }
            let link = path(candidate)
            let target = try readLink(link)
            guard !target.hasPrefix("/") else {
                throw .unsafeLayerEntry(
                    path: entryPath,
                    reason: "its path goes through symbolic link \"\(candidate.joined(separator: "/"))\" with absolute target \"\(target)\"",
                    layer: layerName)
            }
            pending = ArraySlice(target.split(separator: "/").map(String.init)) + pending
        }
        return resolved
    }

    private func readLink(_ link: String) throws(ImageError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = try Syscall.check("readlink", link) { readlink(link, &buffer, Int(PATH_MAX)) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private mutating func makeParents(_ components: [String]) throws(ImageError) {
        var current: [String] = []
        for component in components {
            current.append(component)
            let directory = path(current)
            if let info = try Syscall.lstat(directory) {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw .unsafeLayerEntry(
                        path: current.joined(separator: "/"), reason: "a parent of an entry is not a directory", layer: layerName)
                }
                continue
            }
            try Syscall.check("mkdir", directory) { mkdir(directory, 0o755) }
            created.insert(current.joined(separator: "/"))
        }
    }

    /// Removes whatever is at `target` unless both it and the new entry are directories.
    private func clearForEntry(_ target: String, isDirectory: Bool) throws(ImageError) {
        guard let info = try Syscall.lstat(target) else { return }
        if isDirectory, info.st_mode & S_IFMT == S_IFDIR { return }
        try Syscall.removeTree(target)
    }

    /// glibc's `makedev` encoding of a device number.
    private static func makeDevice(_ major: UInt32, _ minor: UInt32) -> dev_t {
        let major = UInt64(major), minor = UInt64(minor)
        return dev_t((major & 0xfff) << 8 | (major & ~0xfff) << 32 | (minor & 0xff) | (minor & ~0xff) << 12)
    }

    private func path(_ components: [String]) -> String {
        components.isEmpty ? root : root + "/" + components.joined(separator: "/")
    }
}
