import Foundation
import Testing

@testable import NodeAgent

@Suite("Local API socket")
struct LocalAPIServerTests {
    /// A unix socket bound at `path`, listening or not.
    static func boundSocket(_ path: String, listen shouldListen: Bool) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        if shouldListen { try #require(listen(descriptor, 1) == 0) }
        return descriptor
    }

    @Test func aSocketSomeoneListensOnIsLiveAndOneLeftBehindIsStale() throws {
        let directory = NSTemporaryDirectory() + "swiftlet-localapi-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let live = directory + "/live.sock"
        let listening = try Self.boundSocket(live, listen: true)
        defer { close(listening) }
        #expect(LocalAPIServer.answers(live))

        let stale = directory + "/stale.sock"
        close(try Self.boundSocket(stale, listen: false))
        #expect(FileManager.default.fileExists(atPath: stale))
        #expect(!LocalAPIServer.answers(stale))
        #expect(!LocalAPIServer.answers(directory + "/missing.sock"))
    }
}
