import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Watches one directory with inotify and calls `onChange` once per batch of events (a file
/// created, written, renamed, removed or its attributes changed). The read loop runs on its own
/// thread, so it never blocks the cooperative pool; `stop()` ends it within `pollMilliseconds`.
final class DirectoryWatcher: Sendable {
    /// An inotify call failed; `call` names it.
    struct WatchError: Error, CustomStringConvertible {
        var call: String
        var path: String
        var errno: Int32
        var description: String { "\(call) \(path): \(String(cString: strerror(errno)))" }
    }

    private let descriptor: Int32
    private let stopped = Atomic<Bool>(false)
    private let pollMilliseconds: Int32 = 250

    /// Starts watching `path` (a directory).
    ///
    /// - Throws: `WatchError` naming `inotify_init1` or `inotify_add_watch`.
    init(path: String, onChange: @escaping @Sendable () -> Void) throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw WatchError(call: "inotify_init1", path: path, errno: errno) }
        let mask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, path, mask) >= 0 else {
            let error = WatchError(call: "inotify_add_watch", path: path, errno: errno)
            close(fd)
            throw error
        }
        descriptor = fd
        let thread = Thread { [self] in self.loop(onChange) }
        thread.name = "swiftlet-inotify"
        thread.start()
    }

    /// Ends the watch; the thread closes the descriptor.
    func stop() { stopped.store(true, ordering: .releasing) }

    private func loop(_ onChange: @Sendable () -> Void) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped.load(ordering: .acquiring) {
            var pollfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollfd, 1, pollMilliseconds)
            if ready <= 0 { continue }
            var sawEvent = false
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 { sawEvent = true; continue }
                if count < 0 && errno == EINTR { continue }
                break
            }
            if sawEvent { onChange() }
        }
        close(descriptor)
    }
}
