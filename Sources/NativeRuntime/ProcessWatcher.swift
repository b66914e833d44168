import CSwiftletRuntime
import Foundation
import Synchronization

/// Tells when processes exit, without polling on a timer: one thread waits in poll(2) on their
/// pidfds (readable when the process exits) and calls each process's handler once. Exited
/// children of this process are reaped on the way.
final class ProcessWatcher: Sendable {
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let handlers = Mutex<[Int32: @Sendable () -> Void]>([:])
    private let stopped = Atomic<Bool>(false)

    init() throws {
        var fds: [Int32] = [-1, -1]
        try Syscall.retrying("pipe2") { SL_pipe_cloexec(&fds) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        let thread = Thread { [self] in self.loop() }
        thread.name = "swiftlet-process-watcher"
        thread.start()
    }

    /// Calls `onExit` once when process `pid` exits. Returns false (and never calls it) when the
    /// process is already gone.
    func watch(pid: Int32, onExit: @escaping @Sendable () -> Void) -> Bool {
        guard !stopped.load(ordering: .sequentiallyConsistent) else { return false }
        let pidfd = SL_pidfd_open(pid)
        guard pidfd >= 0 else { return false }
        handlers.withLock { $0[pidfd] = onExit }
        wake()
        return true
    }

    /// Stops the thread; handlers not yet called are dropped.
    func shutdown() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func loop() {
        var drain = [UInt8](repeating: 0, count: 64)
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let watched = handlers.withLock { Array($0.keys) }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                + watched.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 { if errno == EINTR { continue } else { break } }
            if fds[0].revents != 0 { _ = drain.withUnsafeMutableBytes { read(wakeRead, $0.baseAddress, $0.count) } }
            for entry in fds.dropFirst() where entry.revents != 0 {
                _ = SL_pidfd_reap(entry.fd)
                close(entry.fd)
                let handler = handlers.withLock { $0.removeValue(forKey: entry.fd) }
                handler?()
            }
        }
        let remaining = handlers.withLock { current in
            defer { current.removeAll() }
            return Array(current.keys)
        }
        for pidfd in remaining { close(pidfd) }
    }

    // The wake pipe lives as long as the object, so a late wake() never writes to a reused number.
    deinit {
        close(wakeRead)
        close(wakeWrite)
    }
}
