import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory removed when the value is deinitialized.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-test-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let result = mkdtemp(&bytes) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: result)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The repository root, found from this source file's path.
enum Repository {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// The `swiftlet` executable built next to this test bundle (same products directory,
    /// whatever the scratch path).
    static func swiftletBinary() throws -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // The bundle may be a directory (`X.xctest/...`) on some layouts: walk up to the products dir.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("swiftlet").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        throw TestFailure("no swiftlet executable next to the test bundle \(executable.path); build the swiftlet product")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process with its standard output and error captured as they arrive.
final class ChildProcess: Sendable {
    /// Bytes a pipe delivered so far.
    private final class Captured: Sendable {
        let data = Mutex(Data())
        var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    /// When the process was seen to exit, recorded by Foundation's own process-monitor thread:
    /// a busy test pool cannot delay it, so exit latencies measured against it are the child's.
    private final class ExitInstant: Sendable {
        let value = Mutex<ContinuousClock.Instant?>(nil)
    }

    private let process: Process
    private let output = Captured()
    private let errorOutput = Captured()
    private let exited = ExitInstant()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "NOTIFY_SOCKET")
        merged.removeValue(forKey: "JOURNAL_STREAM")
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        stdoutPipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            output.data.withLock { $0.append(data) }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [errorOutput] handle in
            let data = handle.availableData
            errorOutput.data.withLock { $0.append(data) }
        }
        process.terminationHandler = { [exited] _ in
            let now = ContinuousClock.now
            exited.value.withLock { $0 = now }
        }
        try process.run()
    }

    /// The instant the process exited, once it has.
    var exitInstant: ContinuousClock.Instant? { exited.value.withLock { $0 } }

    var processIdentifier: Int32 { process.processIdentifier }
    var standardOutput: String { output.text }
    var standardError: String { errorOutput.text }

    /// Waits until standard error matches, or throws after `timeout`.
    func waitForStandardError<T>(timeout: Duration, _ match: (String) -> T?) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let found = match(standardError) { return found }
            if !process.isRunning, let found = match(standardError) { return found }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("timed out waiting for output; stderr so far:\n\(standardError)")
    }

    /// Waits for the process to exit and returns its status, or throws after `timeout`.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            guard clock.now < deadline else {
                process.terminate()
                throw TestFailure("process still running after \(timeout); stderr:\n\(standardError)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        // Let the readability handlers drain what is left in the pipes.
        try await Task.sleep(for: .milliseconds(50))
        return process.terminationStatus
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// Runs a command to completion and returns (status, stdout, stderr).
func runToCompletion(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws
    -> (status: Int32, output: String, error: String)
{
    let child = try ChildProcess(executable, arguments, environment: environment)
    let status = try await child.waitForExit(timeout: .seconds(60))
    return (status, child.standardOutput, child.standardError)
}

/// An `AF_UNIX` datagram socket standing in for systemd's notification socket.
final class DatagramReceiver: Sendable {
    let address: String
    private let descriptor: Int32

    /// Binds a filesystem socket at `path`, or an abstract one when `abstractName` is given.
    init(path: String? = nil, abstractName: String? = nil) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes: [UInt8]
        if let abstractName {
            bytes = [0] + Array(abstractName.utf8)
            self.address = "@" + abstractName
        } else {
            bytes = Array(path!.utf8)
            self.address = path!
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstractName == nil ? 1 : 0))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard result == 0 else { throw TestFailure("bind \(self.address): errno \(errno)") }
    }

    /// The next datagram, or nil after `timeout`.
    func receive(timeout: Duration) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    deinit {
        close(descriptor)
        if !address.hasPrefix("@") { unlink(address) }
    }
}

/// A minimal HTTP/1.1 GET over a plain TCP socket: status code and body.
func httpGet(host: String, port: Int, path: String) throws -> (status: Int, body: String) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { throw TestFailure("socket: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, host, &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TestFailure("connect \(host):\(port): errno \(errno)") }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let statusLine = text.split(separator: "\r\n").first, statusLine.split(separator: " ").count >= 2,
        let status = Int(statusLine.split(separator: " ")[1])
    else {
        throw TestFailure("no HTTP response: \(text)")
    }
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (status, body)
}
