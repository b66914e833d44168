import Foundation

/// The one seam through which this module makes raw system calls: retries on `EINTR` and turns a
/// failure into ``ImageError/system(call:path:errno:)`` naming the call and the path.
enum Syscall {
    @discardableResult
    static func check<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws(ImageError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw .system(call: call, path: path, errno: code)
        }
    }

    /// Like ``check(_:_:_:)`` but returns `nil` instead of throwing when `errno` is one of `tolerated`.
    @discardableResult
    static func check<T: BinaryInteger>(
        _ call: String, _ path: String, tolerating tolerated: Set<Int32>, _ body: () -> T
    ) throws(ImageError) -> T? {
        do { return try check(call, path, body) } catch {
            if case .system(_, _, let code) = error, tolerated.contains(code) { return nil }
            throw error
        }
    }

    /// `lstat`, or `nil` if the path does not exist.
    static func lstat(_ path: String) throws(ImageError) -> stat? {
        var info = stat()
        let result = try check("lstat", path, tolerating: [ENOENT, ENOTDIR]) { Glibc.lstat(path, &info) }
        return result == nil ? nil : info
    }

    /// Writes all of `buffer` to `fd`.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(ImageError) {
        var offset = 0
        while offset < buffer.count {
            let written = try check("write", path) {
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            offset += written
        }
    }

    /// Writes all of `data` to `fd`.
    static func write(_ data: Data, to fd: Int32, path: String) throws(ImageError) {
        let result: Result<Void, ImageError> = data.withUnsafeBytes { buffer in
            Result { () throws(ImageError) in try writeAll(fd, buffer, path: path) }
        }
        try result.get()
    }

    /// Removes `path` and, for a directory, everything under it; never follows symbolic links.
    static func removeTree(_ path: String) throws(ImageError) {
        guard let info = try lstat(path) else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            guard let directory = opendir(path) else { throw .system(call: "opendir", path: path, errno: errno) }
            var children: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name != "." && name != ".." { children.append(name) }
            }
            closedir(directory)
            for child in children { try removeTree(path + "/" + child) }
            try check("rmdir", path) { rmdir(path) }
        } else {
            try check("unlink", path) { unlink(path) }
        }
    }

    /// The names in a directory, without `.` and `..`.
    static func directoryEntries(_ path: String) throws(ImageError) -> [String] {
        guard let directory = opendir(path) else { throw .system(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `path` and missing parents with mode 0755 (0700 for `private`).
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(ImageError) {
        if let info = try lstat(path) {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .system(call: "mkdir", path: path, errno: ENOTDIR) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectories(parent, mode: mode) }
        try check("mkdir", path, tolerating: [EEXIST]) { mkdir(path, mode) }
    }

    /// Writes `data` to `path` atomically: a temporary file in the same directory, `fsync` (when
    /// `durable`), `rename`. Without the `fsync`, a crash of the node may leave the previous
    /// contents, or on some file systems an empty file; a process crash loses nothing.
    static func writeAtomically(_ data: Data, to path: String, durable: Bool = true) throws(ImageError) {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = try check("open", temporary) { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        var isOpen = true
        do {
            try write(data, to: fd, path: temporary)
            if durable { try check("fsync", temporary) { fsync(fd) } }
            close(fd)
            isOpen = false
            try check("rename", path) { rename(temporary, path) }
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// Runs blocking file work on a thread outside Swift's cooperative pool.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
