#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The `type` check of a hostPath volume, as upstream's `hostpath.checkType` does it: `""`
/// checks nothing; `DirectoryOrCreate` and `FileOrCreate` create what is missing (0755 directory,
/// 0644 empty file); `Directory`, `File`, `Socket`, `CharDevice` and `BlockDevice` require it.
public enum HostPathCheck {
    /// Checks (and for the `…OrCreate` types, creates) `path`.
    ///
    /// Throws `VolumeError.hostPathTypeCheck` with upstream's message (`hostPath type check
    /// failed: /x is not a directory`, `Foo is an invalid volume type`), or `.system` when
    /// creating fails.
    public static func check(path: String, type: String?) throws(VolumeError) {
        let type = type ?? ""
        var info = stat()
        let exists = stat(path, &info) == 0
        let kind = exists ? info.st_mode & S_IFMT : 0
        switch type {
        case "":
            return
        case "DirectoryOrCreate", "Directory":
            if type == "DirectoryOrCreate" && !exists {
                try makeDirectories(path)
                return
            }
            guard exists && kind == S_IFDIR else { throw .hostPathTypeCheck("hostPath type check failed: \(path) is not a directory") }
        case "FileOrCreate", "File":
            if type == "FileOrCreate" && !exists {
                let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw .system(call: "open", path: path, errno: errno) }
                close(fd)
                return
            }
            guard exists && kind == S_IFREG else { throw .hostPathTypeCheck("hostPath type check failed: \(path) is not a file") }
        case "Socket":
            guard exists && kind == S_IFSOCK else { throw .hostPathTypeCheck("hostPath type check failed: \(path) is not a socket file") }
        case "CharDevice":
            guard exists && kind == S_IFCHR else { throw .hostPathTypeCheck("hostPath type check failed: \(path) is not a character device") }
        case "BlockDevice":
            guard exists && kind == S_IFBLK else { throw .hostPathTypeCheck("hostPath type check failed: \(path) is not a block device") }
        default:
            throw .hostPathTypeCheck("\(type) is an invalid volume type")
        }
    }

    private static func makeDirectories(_ path: String) throws(VolumeError) {
        var info = stat()
        if stat(path, &info) == 0 { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .system(call: "mkdir", path: path, errno: errno) }
    }
}
