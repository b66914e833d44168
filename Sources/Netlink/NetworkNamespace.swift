import CSwiftletNet
import Glibc

/// An open handle on a network namespace: the descriptor of its nsfs file. Sockets and sysctl
/// files are opened inside it by switching only the calling thread, inside one synchronous call,
/// and switching back before returning (a socket stays in the namespace it was made in).
public final class NetworkNamespace: Sendable {
    /// Where the handle was opened from.
    public let path: String
    /// The open namespace file (close-on-exec); valid for the life of this object.
    public let descriptor: Int32

    /// Opens the namespace bind-mounted (or linked under /proc) at `path`.
    /// - Throws: `NetlinkError.system` naming `open` and the path.
    public init(path: String) throws(NetlinkError) {
        self.path = path
        self.descriptor = try systemCall("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
    }

    /// The namespace the agent process runs in (that of its main thread).
    public static func current() throws(NetlinkError) -> NetworkNamespace {
        try NetworkNamespace(path: "/proc/self/ns/net")
    }

    /// Creates a new, empty network namespace and keeps it alive by bind-mounting it on
    /// `runtimeDirectory/name` (the directory is created if missing), as `ip netns add` does.
    /// - Throws: `NetlinkError.system` when the directory, the unshare or the mount fails; a
    ///   namespace that already exists at that path is an `EEXIST` error.
    public static func create(named name: String, in runtimeDirectory: String) throws(NetlinkError) -> NetworkNamespace {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw .invalidArgument("network namespace name \"\(name)\": expected a single path component")
        }
        if mkdir(runtimeDirectory, 0o755) != 0, errno != EEXIST {
            throw .system(call: "mkdir \(runtimeDirectory)", errno: errno)
        }
        let path = runtimeDirectory + "/" + name
        if access(path, F_OK) == 0 {
            throw .system(call: "create network namespace \(path)", errno: EEXIST)
        }
        if SL_net_create_namespace(path) != 0 {
            let code = errno
            unlink(path)
            throw .system(call: "create network namespace \(path)", errno: code)
        }
        return try NetworkNamespace(path: path)
    }

    /// Unmounts and removes a namespace created by `create(named:in:)` (or `ip netns add`).
    /// The namespace itself goes away when the last process and socket in it are gone.
    /// Deleting a path that does not exist succeeds.
    public static func delete(path: String) throws(NetlinkError) {
        if umount2(path, Int32(MNT_DETACH)) != 0, errno != EINVAL, errno != ENOENT {
            throw .system(call: "umount \(path)", errno: errno)
        }
        if unlink(path) != 0, errno != ENOENT {
            throw .system(call: "unlink \(path)", errno: errno)
        }
    }

    /// The device and inode of the namespace: equal for two handles on the same namespace.
    public func identity() throws(NetlinkError) -> NamespaceIdentity {
        var info = stat()
        try systemCall("fstat \(path)") { fstat(descriptor, &info) }
        return NamespaceIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// A socket created inside this namespace (close-on-exec).
    public func makeSocket(domain: Int32, type: Int32, protocol: Int32) throws(NetlinkError) -> Int32 {
        try systemCall("socket in network namespace \(path)") {
            SL_net_socket_in(descriptor, domain, type, `protocol`)
        }
    }

    /// A file opened from inside this namespace, for the per-namespace files under /proc/sys/net.
    public func openFile(_ file: String, flags: Int32) throws(NetlinkError) -> Int32 {
        try systemCall("open \(file) in network namespace \(path)") {
            SL_net_open_in(descriptor, file, flags)
        }
    }

    deinit {
        close(descriptor)
    }
}

/// Identifies a namespace independently of the path it was opened through.
public struct NamespaceIdentity: Hashable, Sendable {
    /// `st_dev` of the nsfs file.
    public let device: UInt64
    /// `st_ino` of the nsfs file.
    public let inode: UInt64
}
