import CSwiftletRuntime
import ContainerRuntime
import Glibc
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// A process started with `swiftlet-monitor exec` inside a container, with pipes for its stdio.
final class ExecSession: ProcessStream {
    let output: AsyncStream<OutputChunk>
    private let pid: Int32
    private let stdinFD: Mutex<Int32>
    private let exitCode = Mutex<Int32?>(nil)
    /// The terminal's master side, for `resize`, when the session has a tty.
    private let terminal: Int32

    /// Spawns the exec process. With `tty`, its stdio is one pseudo-terminal whose output comes as
    /// stdout and whose input is stdin.
    init(monitorPath: String, specPath: String, stdin wantsStdin: Bool, tty: Bool) throws {
        if tty {
            // The exec'd process opens the terminal in the container's devpts and sends its
            // master side back on fd 3 of the exec process.
            var pair: [Int32] = [-1, -1]
            try Syscall.retrying("socketpair") { SL_socketpair_cloexec(&pair) }
            let console = FileDescriptor(adopting: pair[0])
            do {
                pid = try Self.spawn(monitorPath: monitorPath, specPath: specPath, fds: [-1, -1, -1, pair[1]])
            } catch {
                close(pair[1])
                throw error
            }
            close(pair[1])
            let master = SL_receive_fd(console.rawValue)
            guard master >= 0 else {
                let error = errno
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                throw RuntimeError.failed("exec with a tty: the process did not set up its terminal (errno \(error), wait status \(status))")
            }
            terminal = master
            stdinFD = Mutex(wantsStdin ? dup(master) : -1)
            let (stream, continuation) = AsyncStream.makeStream(of: OutputChunk.self)
            output = stream
            let pidfd = SL_pidfd_open(pid)
            // The terminal carries one stream; stderr's slot reads a descriptor that ends at once.
            var empty = try Pipe()
            empty.writeEnd = FileDescriptor(adopting: -1)
            DispatchReader.start(stdout: dup(master), stderr: empty.readEnd.take(), exitOf: pidfd) { chunk in
                continuation.yield(chunk)
            } onEnd: { _ in
                if pidfd >= 0 { close(pidfd) }
                continuation.finish()
            }
            return
        }
        terminal = -1
        var stdout = try Pipe(), stderr = try Pipe(), stdinPipe = try Pipe()
        let fds: [Int32] = [wantsStdin ? stdinPipe.readEnd.rawValue : -1, stdout.writeEnd.rawValue, stderr.writeEnd.rawValue]
        pid = try Self.spawn(monitorPath: monitorPath, specPath: specPath, fds: fds)
        stdout.writeEnd = FileDescriptor(adopting: -1)
        stderr.writeEnd = FileDescriptor(adopting: -1)
        stdinPipe.readEnd = FileDescriptor(adopting: -1)
        let stdinWriter = stdinPipe.writeEnd.take()
        if !wantsStdin { close(stdinWriter) }
        stdinFD = Mutex(wantsStdin ? stdinWriter : -1)
        let outFD = stdout.readEnd.take(), errFD = stderr.readEnd.take()
        let (stream, continuation) = AsyncStream.makeStream(of: OutputChunk.self)
        output = stream
        let pidfd = SL_pidfd_open(pid)
        DispatchReader.start(stdout: outFD, stderr: errFD, exitOf: pidfd) { chunk in continuation.yield(chunk) } onEnd: { _ in
            if pidfd >= 0 { close(pidfd) }
            continuation.finish()
        }
    }

    static func spawn(monitorPath: String, specPath: String, fds: [Int32]) throws -> Int32 {
        try withCStrings(["swiftlet-monitor", "exec", specPath]) { argv in
            try withCStrings([]) { envp in
                try Syscall.retrying("posix_spawn", monitorPath) { SL_spawn(monitorPath, argv, envp, fds, Int32(fds.count), 0) }
            }
        }
    }

    /// Runs to the end and collects the output; nil when `timeout` seconds (0: none) passed first,
    /// in which case the process has been killed.
    static func runToCompletion(monitorPath: String, specPath: String, timeout: Int64) throws -> ExecSyncResult? {
        var stdout = try Pipe(), stderr = try Pipe()
        let pid = try spawn(monitorPath: monitorPath, specPath: specPath, fds: [-1, stdout.writeEnd.rawValue, stderr.writeEnd.rawValue])
        stdout.writeEnd = FileDescriptor(adopting: -1)
        stderr.writeEnd = FileDescriptor(adopting: -1)
        var collected: [OutputChannel: [UInt8]] = [.stdout: [], .stderr: []]
        let deadline = timeout > 0 ? monotonicNanoseconds() + UInt64(timeout) * 1_000_000_000 : nil
        // The command may leave background processes holding its output open: its own exit, not
        // the end of the pipes, ends the exec.
        let pidfd = SL_pidfd_open(pid)
        defer { if pidfd >= 0 { close(pidfd) } }
        let finished = DispatchReader.readAll(
            stdout: stdout.readEnd.take(), stderr: stderr.readEnd.take(), exitOf: pidfd, deadline: deadline
        ) { collected[$0.channel, default: []] += $0.bytes }
        if !finished { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard finished else { return nil }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ExecSyncResult(stdout: collected[.stdout] ?? [], stderr: collected[.stderr] ?? [], exitCode: code)
    }

    func write(stdin bytes: [UInt8]) async throws {
        let fd = stdinFD.withLock { $0 }
        guard fd >= 0 else { throw RuntimeError.invalidState(id: "exec", state: "stdin closed or not requested", operation: "write to") }
        try await Blocking.run { try FileDescriptor(adopting: dup(fd)).writeAll(bytes) }
    }

    func closeStdin() async {
        let fd = stdinFD.withLock { current in
            defer { current = -1 }
            return current
        }
        if fd >= 0 { close(fd) }
    }

    func resize(_ size: TerminalSize) async throws {
        guard terminal >= 0 else { throw RuntimeError.invalidState(id: "exec", state: "without a tty", operation: "resize") }
        try Syscall.retrying("ioctl(TIOCSWINSZ)") { SL_set_window_size(terminal, size.height, size.width) }
    }

    deinit { if terminal >= 0 { close(terminal) } }

    func waitForExit() async throws -> Int32 {
        if let code = exitCode.withLock({ $0 }) { return code }
        let pid = self.pid
        let code = try await Blocking.run { () -> Int32 in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                if errno != EINTR { throw SystemCallError(call: "waitpid", errno: errno) }
            }
            return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        exitCode.withLock { $0 = code }
        await closeStdin()
        return code
    }
}

func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Reads two pipes until both end, with poll(2).
enum DispatchReader {
    /// Reads on the calling thread. Returns false when `deadline` (monotonic ns) passed first.
    /// Closes both descriptors.
    /// With `exitOf` (a pidfd), also stops once that process has exited and the pipes hold no more.
    static func readAll(
        stdout: Int32, stderr: Int32, exitOf pidfd: Int32 = -1, deadline: UInt64?, _ onChunk: (OutputChunk) -> Void
    ) -> Bool {
        var fds = [
            pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0),
            pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0),
        ]
        defer {
            close(stdout)
            close(stderr)
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while fds[0].fd >= 0 || fds[1].fd >= 0 {
            if fds[2].fd >= 0 && fds[2].revents != 0 {
                // Exited: take what is buffered without waiting for writers that outlive it.
                for index in 0..<2 where fds[index].fd >= 0 {
                    _ = fcntl(fds[index].fd, F_SETFL, O_NONBLOCK)
                    while true {
                        let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                        if count <= 0 { break }
                        onChunk(OutputChunk(channel: index == 0 ? .stdout : .stderr, bytes: Array(buffer[0..<count])))
                    }
                }
                return true
            }
            var timeout: Int32 = -1
            if let deadline {
                let now = monotonicNanoseconds()
                if now >= deadline { return false }
                timeout = Int32(min((deadline - now) / 1_000_000 + 1, UInt64(Int32.max)))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 { if errno == EINTR { continue } else { return true } }
            for index in 0..<2 where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    onChunk(OutputChunk(channel: index == 0 ? .stdout : .stderr, bytes: Array(buffer[0..<count])))
                } else if count == 0 || errno != EINTR {
                    fds[index].fd = -1
                }
            }
        }
        return true
    }

    /// Reads on a Dispatch thread, calling back for each chunk and once at the end.
    static func start(
        stdout: Int32, stderr: Int32, exitOf pidfd: Int32, onChunk: @escaping @Sendable (OutputChunk) -> Void,
        onEnd: @escaping @Sendable (Bool) -> Void
    ) {
        detachNewReader {
            let finished = readAll(stdout: stdout, stderr: stderr, exitOf: pidfd, deadline: nil, onChunk)
            onEnd(finished)
        }
    }
}
