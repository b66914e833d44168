#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations that writing credentials needs, each atomic or safe to repeat:
/// a file is written under a temporary name with its final mode, synced and renamed over the
/// target; a symlink is made under a temporary name and renamed over the old one.
enum CredentialFiles {
    /// Creates `path` and missing parents with `mode`; an existing `path` gets `mode` too.
    static func makeDirectory(_ path: String, mode: mode_t) throws(BootstrapError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0, errno != EEXIST {
                throw failure(prefix, "cannot create directory")
            }
        }
        if chmod(path, mode) != 0 { throw failure(path, "cannot set mode \(String(mode, radix: 8))") }
    }

    /// Writes `bytes` to `path` with `mode`, replacing it atomically (see
    /// ``KubeConfig/writeAtomically(_:to:mode:)``).
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws(BootstrapError) {
        do {
            try KubeConfig.writeAtomically(bytes, to: path, mode: mode)
        } catch {
            throw .filesystem(path: path, reason: (error as? KubeConfigError)?.message ?? "\(error)")
        }
    }

    /// Points the symlink `link` at `target`, replacing an earlier symlink atomically.
    ///
    /// - Throws: when `link` exists and is not a symlink (it is never removed then).
    static func replaceSymlink(_ link: String, target: String) throws(BootstrapError) {
        var status = stat()
        if lstat(link, &status) == 0, status.st_mode & S_IFMT != S_IFLNK {
            throw .filesystem(path: link, reason: "exists and is not a symlink; expected the symlink to the current credentials")
        }
        let temporary = "\(link).tmp-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else { throw failure(temporary, "cannot create symlink to \(target)") }
        guard rename(temporary, link) == 0 else {
            let error = failure(link, "cannot rename \(temporary) over it")
            unlink(temporary)
            throw error
        }
    }

    /// The contents of `path`, or nil when it does not exist.
    static func contents(of path: String) throws(BootstrapError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw failure(path, "cannot open")
        }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read")
            }
            if count == 0 { return result }
            result += buffer[..<count]
        }
    }

    /// Whether something exists at `path` (following symlinks).
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    private static func failure(_ path: String, _ action: String) -> BootstrapError {
        .filesystem(path: path, reason: "\(action): \(String(cString: strerror(errno)))")
    }
}
