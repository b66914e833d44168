import Glibc

/// Small file operations on paths, through the syscall seam.
enum FileSystem {
    static func readBytes(_ path: String) throws(SystemCallError) -> [UInt8] {
        try FileDescriptor(opening: path, flags: O_RDONLY).readAll()
    }

    static func readText(_ path: String) throws(SystemCallError) -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    /// Writes the whole file, creating or truncating it (cgroupfs accepts both flags).
    static func write(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o644) throws(SystemCallError) {
        try FileDescriptor(opening: path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode).writeAll(bytes)
    }

    static func write(_ path: String, text: String, mode: mode_t = 0o644) throws(SystemCallError) {
        try write(path, Array(text.utf8), mode: mode)
    }

    /// Writes to a temporary file and renames it into place.
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(SystemCallError) {
        let temporary = path + ".tmp"
        try write(temporary, bytes)
        try Syscall.retrying("rename", path) { rename(temporary, path) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// `mkdir -p`. The directory itself is tried first and parents only when it is missing one,
    /// from the nearest up: they usually exist already.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemCallError) {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw SystemCallError(call: "mkdir", subject: path, errno: errno)
        }
        try makeDirectories(String(path[..<slash]), mode: mode)
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemCallError(call: "mkdir", subject: path, errno: errno) }
    }

    /// The names in a directory, without `.` and `..`; empty when it does not exist.
    static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `rm -rf`, not crossing into mounted filesystems' contents: mount points found are detached first.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            if rmdir(path) != 0 && errno == EBUSY {
                umount2(path, Int32(MNT_DETACH))
                rmdir(path)
            }
        } else if unlink(path) != 0 && errno == EBUSY {
            umount2(path, Int32(MNT_DETACH))
            unlink(path)
        }
    }
}
