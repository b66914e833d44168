import AsyncHTTPClient
import Foundation
import TestSupport
import NIOCore

/// Debian's `docker-registry` (the CNCF distribution registry) on 127.0.0.1 with a free port, its
/// configuration and storage in a temporary directory. ``stop()`` ends it.
final class RegistryFixture {
    let directory: String
    let port: Int
    private let process: Process
    var host: String { "127.0.0.1:\(port)" }
    /// Where the registry keeps blobs, for tests that tamper with them.
    var storage: String { directory + "/data" }

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(directory: String) async throws {
        self.directory = directory
        port = try Self.freePort()
        let configuration = """
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: \(directory)/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
            """
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: directory + "/config.yml"))
        process = Process()
        process.executableURL = URL(fileURLWithPath: Requirement.executablePath(named: "docker-registry") ?? "/usr/bin/docker-registry")
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: Self.touch(directory + "/registry.log")))
        try process.run()
        try await waitUntilReady()
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// Pushes the OCI layout's image `tag` as `repository:tag` with skopeo (`--all` keeps indexes whole).
    func push(layout: String, tag: String, repository: String) throws {
        let skopeo = Process()
        skopeo.executableURL = URL(fileURLWithPath: Requirement.executablePath(named: "skopeo") ?? "/usr/bin/skopeo")
        skopeo.arguments = [
            "--insecure-policy", "copy", "--quiet", "--all", "--dest-tls-verify=false",
            "oci:\(layout):\(tag)", "docker://\(host)/\(repository):\(tag)",
        ]
        let errors = Pipe()
        skopeo.standardError = errors
        skopeo.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try skopeo.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        skopeo.waitUntilExit()
        guard skopeo.terminationStatus == 0 else {
            throw Failure(description: "skopeo copy failed (\(skopeo.terminationStatus)): \(String(decoding: message, as: UTF8.self))")
        }
    }

    /// The file the registry stores a blob in.
    func blobPath(_ hex: String) -> String {
        "\(storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    private func waitUntilReady() async throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: directory + "/registry.log", encoding: .utf8)) ?? ""
                throw Failure(description: "docker-registry exited with \(process.terminationStatus): \(log)")
            }
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://\(host)/v2/"), timeout: .seconds(2)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "docker-registry did not answer on \(host) within 20 s")
    }

    private static func touch(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    /// A TCP port nothing listens on now: bind port 0 on 127.0.0.1, read it back, close.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw Failure(description: "bind: \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
