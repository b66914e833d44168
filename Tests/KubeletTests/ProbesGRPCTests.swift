import ContainerRuntimeTesting
import Foundation
import Kubelet
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// gRPC health probes against a scripted HTTP/2 peer on 127.0.0.1 that answers
/// `grpc.health.v1.Health/Check` as a gRPC server frames it: SETTINGS, response HEADERS, one
/// DATA message and trailers. (No real gRPC server is available to the test suite; the peer
/// checks the client's preface and framing and reads the requested service from its message.)
@Suite struct ProbesGRPCTests {
    static let peer = Result { try ScriptedHealthPeer() }

    @Test(arguments: [("", true), ("good", true), ("bad", false)])
    func grpcHealthProbeReadsServingStatus(_ service: String, _ passes: Bool) async throws {
        let port = try Self.peer.get().port
        let result = await Prober(runtime: ScriptedHealthPeer.noRuntime).run(
            .grpc(host: "127.0.0.1", port: port, service: service), containerID: "", timeout: .seconds(2))
        if passes {
            #expect(result == .success(output: ""))
        } else {
            #expect(result == .failure("service unhealthy (responded with \"NOT_SERVING\")"))
        }
    }

    @Test func grpcHealthProbeWithoutResponseMessageFails() async throws {
        let port = try Self.peer.get().port
        let result = await Prober(runtime: ScriptedHealthPeer.noRuntime).run(
            .grpc(host: "127.0.0.1", port: port, service: "unimplemented"), containerID: "", timeout: .seconds(2))
        #expect(!result.passed)
    }

    @Test func grpcHealthProbeToClosedPortFails() async throws {
        let result = await Prober(runtime: ScriptedHealthPeer.noRuntime).run(
            .grpc(host: "127.0.0.1", port: try ProbesTests.closedPort(), service: ""), containerID: "", timeout: .seconds(1))
        guard case .failure(let message) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(message.hasPrefix("error: health rpc probe failed: dial tcp 127.0.0.1:"))
    }
}

final class ScriptedHealthPeer: Sendable {
    static let noRuntime = FakeContainerRuntime()
    let port: Int

    init() throws {
        let fd = try TestHTTPServer.listen(host: "127.0.0.1")
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { Self.serve(client) }
            }
        }
    }

    private static func frame(_ type: UInt8, _ flags: UInt8, _ stream: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [UInt8(payload.count >> 16), UInt8((payload.count >> 8) & 0xFF), UInt8(payload.count & 0xFF), type, flags, 0, 0, 0, stream] + payload
    }

    private static func literal(_ name: String, _ value: String) -> [UInt8] {
        [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
    }

    private static func serve(_ client: Int32) {
        defer { close(client) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        var service: String?
        var sawPreface = false
        while service == nil {
            let count = recv(client, &chunk, chunk.count, 0)
            if count <= 0 { return }
            buffer += chunk[0..<count]
            if !sawPreface {
                guard buffer.count >= preface.count else { continue }
                guard Array(buffer[0..<preface.count]) == preface else { return }
                buffer.removeFirst(preface.count)
                sawPreface = true
            }
            while buffer.count >= 9 {
                let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
                guard buffer.count >= 9 + length else { break }
                let type = buffer[3]
                let flags = buffer[4]
                let payload = Array(buffer[9..<(9 + length)])
                buffer.removeFirst(9 + length)
                if type == 0x0 && flags & 0x1 != 0 {
                    // gRPC message: 5-byte prefix, then HealthCheckRequest { string service = 1; }
                    let message = payload.dropFirst(5)
                    service = message.first == 0x0A ? String(decoding: message.dropFirst(2), as: UTF8.self) : ""
                }
            }
        }
        var reply = frame(0x4, 0, 0, []) + frame(0x4, 0x1, 0, [])
        if service == "unimplemented" {
            reply += frame(0x1, 0x5, 1, [0x88] + literal("content-type", "application/grpc") + literal("grpc-status", "12"))
        } else {
            let status: UInt8 = service == "bad" ? 2 : 1
            reply += frame(0x1, 0x4, 1, [0x88] + literal("content-type", "application/grpc"))
            reply += frame(0x0, 0, 1, [0, 0, 0, 0, 2, 0x08, status])
            reply += frame(0x1, 0x5, 1, literal("grpc-status", "0"))
        }
        _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // Wait for the client to close, as a server keeping the connection would.
        _ = recv(client, &chunk, chunk.count, 0)
    }
}
