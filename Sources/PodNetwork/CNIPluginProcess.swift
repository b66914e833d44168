import CSwiftletNet
import Dispatch
import Glibc
import Netlink

/// Runs one CNI plugin binary: configuration on stdin, `CNI_*` variables in the environment,
/// result on stdout. The child starts in the node namespace when one is given (the spawn happens
/// in C on a thread switched into it), and the blocking wait runs off the cooperative pool.
struct CNIPluginProcess: Sendable {
    /// How the plugin ended and what it printed.
    struct Outcome: Sendable {
        let status: Int32
        let output: [UInt8]
        let errorOutput: [UInt8]
    }

    let path: String
    let environment: [String]
    let input: [UInt8]
    let namespace: NetworkNamespace?

    func run() async throws -> Outcome {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.runBlocking() })
            }
        }
    }

    private func runBlocking() throws -> Outcome {
        let stdinPipe = try makePipe(), stdoutPipe = try makePipe(), stderrPipe = try makePipe()
        let argv = [strdup(path)] + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = SL_net_spawn(namespace?.descriptor ?? -1, path, argv, envp, stdinPipe[0], stdoutPipe[1], stderrPipe[1], &pid)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard rc == 0 else {
            close(stdinPipe[1]); close(stdoutPipe[0]); close(stderrPipe[0])
            throw PodNetworkError.state(path: path, errno: rc)
        }
        signal(SIGPIPE, SIG_IGN)
        var offset = 0
        while offset < input.count {
            let written = input.withUnsafeBytes { write(stdinPipe[1], $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 { if errno == EINTR { continue }; break }
            offset += written
        }
        close(stdinPipe[1])
        var output: [UInt8] = [], errorOutput: [UInt8] = []
        var open = [stdoutPipe[0], stderrPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; break }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == stdoutPipe[0] { output += buffer[0..<count] } else { errorOutput += buffer[0..<count] }
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitCode, output: output, errorOutput: errorOutput)
    }

    /// A pipe whose both ends are close-on-exec (the spawn duplicates the child's ends onto 0-2).
    private func makePipe() throws -> [Int32] {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw PodNetworkError.state(path: "pipe for \(path)", errno: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return ends
    }
}
