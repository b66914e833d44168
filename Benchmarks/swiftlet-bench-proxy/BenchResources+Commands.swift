import BenchReport
import CSwiftletNet
import Foundation
import Glibc
import Netlink

/// Child processes in a network namespace, spawned directly into it (no `ip netns exec` or
/// `nsenter` in between, so a timed `nft -f` costs what upstream's own exec of nft costs).
extension BenchResources {
    /// Runs `path` with `arguments` inside `namespace` (the bench's own when nil) to completion.
    /// Returns its standard output and error, or throws them when it exits non-zero.
    @discardableResult
    func run(_ path: String, _ arguments: [String], in namespace: NetworkNamespace? = nil) throws -> String {
        var output: [Int32] = [0, 0]
        guard pipe(&output) == 0 else { throw BenchError("pipe: \(String(cString: strerror(errno)))") }
        for end in output { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try spawn(path, arguments, in: namespace, standardOutput: output[1])
        } catch {
            close(output[0]); close(output[1])
            throw error
        }
        close(output[1])
        let printed = readToEnd(output[0])
        close(output[0])
        let status = wait(for: pid)
        let text = String(decoding: printed, as: UTF8.self)
        guard status == 0 else {
            throw BenchError("\(([path] + arguments).joined(separator: " ")) exited with status \(status)"
                             + (namespace.map { " in \($0.path)" } ?? "") + ": \(text.prefix(2000))")
        }
        return text
    }

    /// Starts `path` with `arguments` inside `namespace`, its output appended to `logPath`;
    /// returns its pid (stop it with `stop`).
    func start(_ path: String, _ arguments: [String], in namespace: NetworkNamespace, logPath: String) throws -> pid_t {
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw BenchError("open \(logPath): \(String(cString: strerror(errno)))") }
        defer { close(log) }
        return try spawn(path, arguments, in: namespace, standardOutput: log)
    }

    /// Whether a child started with `start` is still running (it is reaped when it is not).
    func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { release(pid) }
        return result == 0
    }

    /// SIGTERM, up to `seconds` for the child to exit, then SIGKILL. Returns its wait status.
    @discardableResult
    func stop(_ pid: pid_t, seconds: Double = 15) -> Int32 {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) {
                release(pid)
                return status
            }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        return wait(for: pid)
    }

    private func spawn(_ path: String, _ arguments: [String], in namespace: NetworkNamespace?, standardOutput: Int32) throws -> pid_t {
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard null >= 0 else { throw BenchError("open /dev/null: \(String(cString: strerror(errno)))") }
        defer { close(null) }
        let environment: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"]
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = SL_net_spawn(namespace?.descriptor ?? -1, path, argv, envp, null, standardOutput, standardOutput, &pid)
        guard code == 0 else { throw BenchError("spawn \(path)" + (namespace.map { " in \($0.path)" } ?? "") + ": \(String(cString: strerror(code)))") }
        adopt(pid)
        return pid
    }

    /// Waits for a child and forgets it; returns its wait status.
    private func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        release(pid)
        return status
    }
}
