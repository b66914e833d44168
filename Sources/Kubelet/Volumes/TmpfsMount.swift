#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Memory-backed volume directories: emptyDir `medium: Memory` and the secret volumes.
public enum TmpfsMount {
    /// Mounts a tmpfs of `sizeBytes` (0: the kernel default) on `path` with mode 0777 for
    /// emptyDir or 0755 for a secret volume, unless one is mounted there already.
    public static func mount(at path: String, sizeBytes: Int64, mode: UInt32 = 0o777) throws(VolumeError) {
        if isTmpfs(path) { return }
        var options = "mode=" + String(mode, radix: 8)
        if sizeBytes > 0 { options += ",size=\(sizeBytes)" }
        let flags = UInt(MS_NOSUID | MS_NODEV)
        guard Glibc.mount("tmpfs", path, "tmpfs", flags, options) == 0 else {
            throw .system(call: "mount tmpfs", path: path, errno: errno)
        }
    }

    /// Unmounts whatever is mounted on `path`; a path with nothing mounted is fine.
    public static func unmount(_ path: String) throws(VolumeError) {
        while umount2(path, Int32(UMOUNT_NOFOLLOW)) == 0 {}
        if errno != EINVAL && errno != ENOENT { throw .system(call: "umount", path: path, errno: errno) }
    }

    /// Whether a tmpfs is mounted on `path` itself, in the calling thread's mount namespace
    /// (read from `/proc/thread-self/mountinfo`).
    public static func isTmpfs(_ path: String) -> Bool {
        guard let bytes = AtomicWriter.readFile("/proc/thread-self/mountinfo") else { return false }
        var resolved = path
        if let real = realpath(path, nil) {
            resolved = String(cString: real)
            free(real)
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
            let fields = line.split(separator: " ")
            guard fields.count > 5, let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count else { continue }
            if unescape(fields[4]) == resolved && fields[separator + 1] == "tmpfs" { return true }
        }
        return false
    }

    /// mountinfo writes space, tab, newline and backslash as `\ooo` octal escapes.
    private static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The size of a memory-backed emptyDir, as upstream's `calculateEmptyDirMemorySize`: the
    /// pod's memory limit (or, without one, the node's allocatable memory), lowered to the
    /// volume's `sizeLimit` when that is smaller.
    public static func emptyDirSize(sizeLimit: Int64?, podMemoryLimit: Int64?, nodeAllocatableMemory: Int64) -> Int64 {
        var size = podMemoryLimit.flatMap { $0 > 0 ? $0 : nil } ?? nodeAllocatableMemory
        if let sizeLimit, sizeLimit > 0, size <= 0 || sizeLimit < size { size = sizeLimit }
        return size
    }
}
