import ContainerRuntime
import Foundation
import KubeAPI
import Logging
import NIOCore

/// One connection to the local API: reads one request head, answers it, closes.
struct LocalAPIConnection: Sendable {
    let pods: LocalPodDirectory
    let logger: Logger

    /// The `Upgrade` token of the exec stream.
    static let execProtocol = "swiftlet-exec.v1"

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var reader = ByteReader(iterator: inbound.makeAsyncIterator())
                guard let head = try await reader.readHead() else { return }
                let writer = ResponseWriter(outbound: outbound)
                do {
                    let request = try LocalAPIRequest.parse(head: head)
                    try await route(request, reader: &reader, writer: writer, isActive: { connection.channel.isActive })
                } catch let error as LocalAPIError {
                    try await writer.send(status: error.code, contentType: "application/json", body: JSONWriter.bytes(error.statusObject))
                }
            }
        } catch {
            logger.debug("local API connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func route(
        _ request: LocalAPIRequest, reader: inout ByteReader, writer: ResponseWriter, isActive: @escaping @Sendable () -> Bool
    ) async throws {
        let segments = request.path.split(separator: "/").map(String.init)
        switch (request.method, segments.count) {
        case ("GET", 3) where segments == ["api", "v1", "pods"]:
            try await sendList(await pods.pods(namespace: nil), writer: writer)
        case ("GET", 5) where segments[0...2] == ["api", "v1", "namespaces"] && segments[4] == "pods":
            try await sendList(await pods.pods(namespace: segments[3]), writer: writer)
        case ("GET", 6) where segments[0...2] == ["api", "v1", "namespaces"] && segments[4] == "pods":
            let pod = try await pods.pod(namespace: segments[3], name: segments[5])
            try await writer.send(status: 200, contentType: "application/json", body: JSONWriter.bytes(Self.withKind(pod.encoded())))
        case ("GET", 7) where segments[0...2] == ["api", "v1", "namespaces"] && segments[4] == "pods" && segments[6] == "log":
            try await streamLog(namespace: segments[3], name: segments[5], request: request, writer: writer, isActive: isActive)
        case ("POST", 7) where segments[0...2] == ["api", "v1", "namespaces"] && segments[4] == "pods" && segments[6] == "exec",
             ("GET", 7) where segments[0...2] == ["api", "v1", "namespaces"] && segments[4] == "pods" && segments[6] == "exec":
            try await exec(namespace: segments[3], name: segments[5], request: request, reader: &reader, writer: writer)
        default:
            throw LocalAPIError.notFound("\(request.method) \(request.path): no such endpoint of the local API")
        }
    }

    private static func withKind(_ pod: JSONValue) -> JSONValue {
        guard case .object(let object) = pod else { return pod }
        var result = JSONObject()
        result.append("kind", "Pod")
        result.append("apiVersion", "v1")
        for (key, value) in object.members where key != "kind" && key != "apiVersion" { result.append(key, value) }
        return .object(result)
    }

    private func sendList(_ list: [CoreV1.Pod], writer: ResponseWriter) async throws {
        let body: JSONValue = [
            "kind": "PodList", "apiVersion": "v1", "metadata": [:],
            "items": .array(JSONArray(list.map { Self.withKind($0.encoded()) })),
        ]
        try await writer.send(status: 200, contentType: "application/json", body: JSONWriter.bytes(body))
    }
}

/// Bytes from a connection, with what was read past the request head kept for the exec stream.
struct ByteReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending: [UInt8] = []

    /// The request head without its blank line; nil when the peer closed first.
    ///
    /// - Throws: ``LocalAPIError`` 400 for a head over 64 KiB.
    mutating func readHead() async throws -> [UInt8]? {
        while true {
            if let end = pending.firstRange(of: LocalAPIRequest.headTerminator) {
                let head = Array(pending[..<end.lowerBound])
                pending.removeFirst(end.upperBound)
                return head
            }
            guard pending.count <= LocalAPIRequest.maximumHeadBytes else {
                throw LocalAPIError.badRequest("request head over \(LocalAPIRequest.maximumHeadBytes) bytes")
            }
            guard let more = try await next() else { return nil }
            pending += more
        }
    }

    /// The next bytes the peer sent; nil at end of stream.
    mutating func next() async throws -> [UInt8]? {
        guard let buffer = try await iterator.next() else { return nil }
        return Array(buffer.readableBytesView)
    }
}

/// Writes responses on a connection.
struct ResponseWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    func write(_ bytes: [UInt8]) async throws { try await outbound.write(ByteBuffer(bytes: bytes)) }

    /// A whole response with a `Content-Length`.
    func send(status: Int, contentType: String, body: [UInt8]) async throws {
        try await write(Self.head(status: status, headers: [("Content-Type", contentType), ("Content-Length", "\(body.count)")]) + body)
    }

    /// The status line and headers (with `Connection: close` unless upgrading) and the blank line.
    static func head(status: Int, headers: [(String, String)]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if status != 101 { text += "Connection: close\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// One chunk of a chunked body (an empty one ends the body).
    static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + Array("\r\n".utf8)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 101: "Switching Protocols"
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 426: "Upgrade Required"
        default: status >= 500 ? "Internal Server Error" : "Error"
        }
    }
}
