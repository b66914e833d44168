import Foundation

/// The overlay mount that makes a container's root filesystem: read-only layer directories
/// (top first), plus a per-container upper and work directory.
public struct RootfsMount: Sendable, Hashable {
    /// Layer directories, topmost first, as overlayfs's `lowerdir` lists them.
    public var lowerDirectories: [String]
    /// Where the container's changes go.
    public var upperDirectory: String
    /// overlayfs's scratch directory, on the same filesystem as the upper one.
    public var workDirectory: String

    /// The overlayfs mount data: `lowerdir=…,upperdir=…,workdir=…`.
    public var options: String {
        "lowerdir=\(lowerDirectories.joined(separator: ":")),upperdir=\(upperDirectory),workdir=\(workDirectory)"
    }

    /// The mount data must fit in one page including its terminating NUL.
    static let optionsLimit = 4095

    /// Mounts the overlay at `target` in the calling thread's mount namespace.
    public func mount(at target: String) throws(ImageError) {
        let data = options
        guard data.utf8.count <= Self.optionsLimit else {
            throw .system(call: "mount overlay (\(lowerDirectories.count) layers, options longer than a page)", path: target, errno: E2BIG)
        }
        try Syscall.check("mount overlay", target) { Glibc.mount("overlay", target, "overlay", 0, data) }
    }

    /// Unmounts whatever is mounted at `target`.
    public static func unmount(_ target: String) throws(ImageError) {
        try Syscall.check("umount", target) { umount2(target, 0) }
    }
}
