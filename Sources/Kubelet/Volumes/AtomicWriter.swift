#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a set of files into a volume directory so that a reader sees either the whole old set
/// or the whole new set, never a mix, as upstream's `pkg/volume/util/atomic_writer.go` does.
///
/// Layout of the target directory:
/// ```
/// ..2026_11_23_01_02_03.1234567/   the current payload (a new directory per update)
/// ..data -> ..2026_11_23_01_02_03.1234567
/// key -> ..data/key                one symlink per top-level name of the payload
/// ```
/// An update writes the new timestamped directory completely, points `..data_tmp` at it and
/// renames `..data_tmp` over `..data` (one atomic `rename(2)`), then removes the names the new
/// payload no longer has and the old directory.
public struct AtomicWriter: Sendable {
    /// One file of the payload.
    public struct File: Sendable, Equatable {
        /// The bytes.
        public var data: [UInt8]
        /// Permission bits (e.g. 0o644).
        public var mode: UInt32
        /// The owner to set, when the volume asks for one.
        public var owner: UInt32?

        public init(data: [UInt8], mode: UInt32 = 0o644, owner: UInt32? = nil) {
            self.data = data
            self.mode = mode
            self.owner = owner
        }

        /// A UTF-8 text file.
        public init(_ text: String, mode: UInt32 = 0o644) {
            self.init(data: Array(text.utf8), mode: mode)
        }
    }

    /// The directory the files appear in.
    public var targetDirectory: String

    public static let dataDirectoryName = "..data"
    public static let newDataDirectoryName = "..data_tmp"

    public init(targetDirectory: String) {
        self.targetDirectory = targetDirectory
    }

    /// Makes the directory hold exactly `payload` (relative paths → files).
    ///
    /// Returns `false` when the directory already held this payload and nothing was written.
    /// Throws `VolumeError.invalidPath` for a path that is absolute, empty, contains `..`
    /// components or starts with `..`, and `.system` when a system call fails; a failed update
    /// leaves the previous payload visible.
    @discardableResult
    public func write(_ payload: [String: File]) throws(VolumeError) -> Bool {
        var cleaned: [String: File] = [:]
        for (path, file) in payload {
            cleaned[try Self.validate(path)] = file
        }
        try makeDirectory(targetDirectory, mode: 0o755, intermediate: true)

        let dataLink = targetDirectory + "/" + Self.dataDirectoryName
        let oldDirectoryName = Self.readLink(dataLink)
        let oldPaths: Set<String> = oldDirectoryName.map { Self.filePaths(in: targetDirectory + "/" + $0) } ?? []

        if let oldDirectoryName, Self.holds(targetDirectory + "/" + oldDirectoryName, exactly: cleaned) {
            return false
        }

        let newDirectoryName = try makeTimestampedDirectory()
        let newDirectory = targetDirectory + "/" + newDirectoryName
        do throws(VolumeError) {
            for path in cleaned.keys.sorted() {
                try writeFile(newDirectory + "/" + path, cleaned[path]!)
            }
            try createVisibleLinks(for: cleaned.keys)
            let tmpLink = targetDirectory + "/" + Self.newDataDirectoryName
            _ = unlink(tmpLink)
            guard symlink(newDirectoryName, tmpLink) == 0 else { throw VolumeError.system(call: "symlink", path: tmpLink, errno: errno) }
            guard rename(tmpLink, dataLink) == 0 else { throw VolumeError.system(call: "rename", path: dataLink, errno: errno) }
        } catch {
            Self.removeTree(newDirectory)
            throw error
        }

        let newTopLevel = Set(cleaned.keys.map(Self.firstComponent))
        for name in Set(oldPaths.map(Self.firstComponent)).subtracting(newTopLevel) {
            _ = unlink(targetDirectory + "/" + name)
        }
        if let oldDirectoryName, oldDirectoryName != newDirectoryName {
            Self.removeTree(targetDirectory + "/" + oldDirectoryName)
        }
        return true
    }

    // MARK: Paths

    /// Checks a payload path as upstream's `validatePath` does and returns it without a
    /// trailing slash.
    static func validate(_ path: String) throws(VolumeError) -> String {
        var path = path
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { throw .invalidPath(path, reason: "must not be empty") }
        if path.utf8.count > 4096 { throw .invalidPath(path, reason: "must be at most 4096 bytes") }
        if path.hasPrefix("/") { throw .invalidPath(path, reason: "must be relative") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            if component.utf8.count > 255 { throw .invalidPath(path, reason: "a component is longer than 255 bytes") }
            if component == ".." { throw .invalidPath(path, reason: "must not contain '..'") }
            if component.isEmpty { throw .invalidPath(path, reason: "must not contain empty components") }
        }
        if path.hasPrefix("..") { throw .invalidPath(path, reason: "must not start with '..'") }
        return path
    }

    static func firstComponent(_ path: String) -> String {
        String(path.split(separator: "/", maxSplits: 1).first ?? Substring(path))
    }

    // MARK: File system

    private func makeTimestampedDirectory() throws(VolumeError) -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let stamp = "..\(parts.tm_year + 1900)_\(two(parts.tm_mon + 1))_\(two(parts.tm_mday))_"
            + "\(two(parts.tm_hour))_\(two(parts.tm_min))_\(two(parts.tm_sec))."
        var template = Array((targetDirectory + "/" + stamp + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard let made else { throw .system(call: "mkdtemp", path: targetDirectory + "/" + stamp, errno: errno) }
        let path = String(cString: made)
        guard chmod(path, 0o755) == 0 else { throw .system(call: "chmod", path: path, errno: errno) }
        return String(path.split(separator: "/").last ?? "")
    }

    private func writeFile(_ path: String, _ file: File) throws(VolumeError) {
        if let slash = path.lastIndex(of: "/") {
            try makeDirectory(String(path[..<slash]), mode: 0o755, intermediate: true)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode_t(file.mode & 0o7777))
        guard fd >= 0 else { throw .system(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < file.data.count {
            let written = file.data.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system(call: "write", path: path, errno: errno)
            }
            offset += written
        }
        // The umask may have narrowed the mode given to open.
        guard fchmod(fd, mode_t(file.mode & 0o7777)) == 0 else { throw .system(call: "fchmod", path: path, errno: errno) }
        if let owner = file.owner, fchown(fd, owner, UInt32.max) != 0 {
            throw .system(call: "fchown", path: path, errno: errno)
        }
    }

    private func createVisibleLinks(for paths: Dictionary<String, File>.Keys) throws(VolumeError) {
        for name in Set(paths.map(Self.firstComponent)) {
            let link = targetDirectory + "/" + name
            var info = stat()
            if lstat(link, &info) == 0 { continue }
            guard symlink(Self.dataDirectoryName + "/" + name, link) == 0 else {
                throw .system(call: "symlink", path: link, errno: errno)
            }
        }
    }

    private func makeDirectory(_ path: String, mode: mode_t, intermediate: Bool) throws(VolumeError) {
        var info = stat()
        if stat(path, &info) == 0 { return }
        if intermediate, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectory(String(path[..<slash]), mode: mode, intermediate: true)
        }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw .system(call: "mkdir", path: path, errno: errno) }
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Relative paths of the regular files under `directory`.
    static func filePaths(in directory: String, prefix: String = "") -> Set<String> {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var result: Set<String> = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            var info = stat()
            guard lstat(directory + "/" + name, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                result.formUnion(filePaths(in: directory + "/" + name, prefix: relative))
            } else {
                result.insert(relative)
            }
        }
        return result
    }

    /// Whether `directory` holds exactly these files with these contents and modes.
    static func holds(_ directory: String, exactly payload: [String: File]) -> Bool {
        guard filePaths(in: directory) == Set(payload.keys) else { return false }
        for (path, file) in payload {
            var info = stat()
            guard lstat(directory + "/" + path, &info) == 0, UInt32(info.st_mode) & 0o7777 == file.mode & 0o7777 else {
                return false
            }
            if let owner = file.owner, info.st_uid != owner { return false }
            guard readFile(directory + "/" + path) == file.data else { return false }
        }
        return true
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return count == 0 ? result : nil }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Removes a file or a directory tree; missing paths are fine.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            if let handle = opendir(path) {
                var names: [String] = []
                while let entry = readdir(handle) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(handle)
                for name in names { removeTree(path + "/" + name) }
            }
            _ = rmdir(path)
        } else {
            _ = unlink(path)
        }
    }
}
