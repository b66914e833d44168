import Foundation
import KubeAPI
import NIOCore
import NIOPosix

/// The `swiftlet` command line's side of the local API: one connection per request to the
/// agent's unix socket (see ``LocalAPIServer`` for the endpoints).
public struct LocalAPIClient: Sendable {
    /// The agent's socket (`apiSocket`).
    public let socketPath: String

    public init(socketPath: String) { self.socketPath = socketPath }

    /// The JSON body of a `GET`.
    ///
    /// - Throws: ``LocalAPIClientError`` when the agent cannot be reached, ``LocalAPIError``
    ///   when it answers with a failure.
    public func get(_ path: String, query: [(name: String, value: String)] = []) async throws -> JSONValue {
        var body: [UInt8] = []
        try await stream(path, query: query) { body += $0 }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw LocalAPIClientError.malformed(socket: socketPath, detail: "\(path): \(error)")
        }
    }

    /// Reads a `GET`'s body as it arrives, calling `body` with each piece.
    ///
    /// - Throws: as ``get(_:query:)``, or what `body` throws.
    public func stream(
        _ path: String, query: [(name: String, value: String)] = [], body: ([UInt8]) async throws -> Void
    ) async throws {
        let request = LocalAPIRequest(method: "GET", path: path, query: query, headers: ["host": "localhost", "connection": "close"])
        let connection = try await connect()
        try await connection.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: request.encoded))
            var reader = ByteReader(iterator: inbound.makeAsyncIterator())
            let head = try await readResponseHead(&reader)
            var decoder = BodyDecoder(chunked: head.headers["transfer-encoding"]?.lowercased() == "chunked")
            var failure: [UInt8] = []
            func deliver(_ bytes: [UInt8]) async throws {
                if head.status == 200 { try await body(bytes) } else { failure += bytes }
            }
            try await deliver(try decoder.feed(reader.pending))
            while !decoder.isFinished, let more = try await reader.next() {
                try await deliver(try decoder.feed(more))
            }
            if head.status != 200 { throw LocalAPIError.fromResponse(code: head.status, body: failure) }
        }
    }

    /// Runs a command in a pod's container: sends the frames of `input` (stdin, resize, stdin
    /// closed), hands every stdout and stderr frame to `output`, and returns the exit code.
    ///
    /// - Throws: as ``get(_:query:)``; ``LocalAPIClientError/execFailed(_:)`` when the agent could
    ///   not start the command.
    public func exec(
        namespace: String, pod: String, container: String?, command: [String], stdin: Bool, tty: Bool,
        input: AsyncStream<ExecFrame>, output: @escaping @Sendable (ExecFrame) async throws -> Void
    ) async throws -> Int32 {
        var query = command.map { (name: "command", value: $0) }
        if let container { query.append(("container", container)) }
        if stdin { query.append(("stdin", "true")) }
        if tty { query.append(("tty", "true")) }
        let request = LocalAPIRequest(
            method: "POST", path: "/api/v1/namespaces/\(namespace)/pods/\(pod)/exec", query: query,
            headers: ["host": "localhost", "connection": "Upgrade", "upgrade": LocalAPIConnection.execProtocol])
        let connection = try await connect()
        return try await connection.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: request.encoded))
            var reader = ByteReader(iterator: inbound.makeAsyncIterator())
            let head = try await readResponseHead(&reader)
            guard head.status == 101 else {
                var decoder = BodyDecoder(chunked: false)
                var body = try decoder.feed(reader.pending)
                while let more = try await reader.next() { body += try decoder.feed(more) }
                throw LocalAPIError.fromResponse(code: head.status, body: body)
            }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in input { try await outbound.write(ByteBuffer(bytes: frame.encoded)) }
                }
                defer { group.cancelAll() }
                var buffer = reader.pending
                while true {
                    while let frame = try ExecFrame.take(from: &buffer) {
                        switch frame {
                        case .exit(let code): return code
                        case .error(let message): throw LocalAPIClientError.execFailed(message)
                        default: try await output(frame)
                        }
                    }
                    guard let more = try await reader.next() else {
                        throw LocalAPIClientError.malformed(socket: socketPath, detail: "the exec stream ended without an exit code")
                    }
                    buffer += more
                }
            }
        }
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        var status = stat()
        guard stat(socketPath, &status) == 0 else {
            throw LocalAPIClientError.notRunning(socket: socketPath, detail: "no socket at \(socketPath)")
        }
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
        } catch let error as IOError where error.errnoCode == EACCES || error.errnoCode == EPERM {
            throw LocalAPIClientError.permissionDenied(socket: socketPath)
        } catch {
            throw LocalAPIClientError.notRunning(socket: socketPath, detail: "\(error)")
        }
    }

    private func readResponseHead(_ reader: inout ByteReader) async throws -> (status: Int, headers: [String: String]) {
        guard let head = try await reader.readHead() else {
            throw LocalAPIClientError.malformed(socket: socketPath, detail: "the agent closed the connection without an answer")
        }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw LocalAPIClientError.malformed(socket: socketPath, detail: "status line \"\(lines[0])\"")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers)
    }
}

/// Why the command line could not talk to the agent.
public enum LocalAPIClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case notRunning(socket: String, detail: String)
    case permissionDenied(socket: String)
    case malformed(socket: String, detail: String)
    case execFailed(String)

    public var description: String {
        switch self {
        case .notRunning(let socket, let detail):
            "cannot reach the swiftlet agent at \(socket) (is `swiftlet run` running? apiSocket in the configuration names the socket): \(detail)"
        case .permissionDenied(let socket):
            "permission denied on \(socket): the local API is for root only"
        case .malformed(let socket, let detail):
            "unexpected answer from the agent at \(socket): \(detail)"
        case .execFailed(let message):
            message
        }
    }
}

/// Decodes a response body: as it is (the connection's end ends it), or `chunked`.
struct BodyDecoder {
    let chunked: Bool
    private var pending: [UInt8] = []
    /// Bytes left in the current chunk, or nil when a size line comes next.
    private var left: Int?
    private(set) var isFinished = false

    init(chunked: Bool) { self.chunked = chunked }

    /// The body bytes in `bytes` (with what was pending).
    ///
    /// - Throws: ``LocalAPIClientError`` for a chunk size that does not parse.
    mutating func feed(_ bytes: [UInt8]) throws -> [UInt8] {
        guard chunked else { return bytes }
        pending += bytes
        var body: [UInt8] = []
        while !isFinished {
            if let count = left {
                // The chunk's bytes, then its CRLF.
                guard pending.count >= count + 2 else {
                    let available = max(0, min(count, pending.count))
                    body += pending.prefix(available)
                    pending.removeFirst(available)
                    left = count - available
                    break
                }
                body += pending.prefix(count)
                pending.removeFirst(count + 2)
                left = nil
            } else {
                guard let end = pending.firstRange(of: [0x0D, 0x0A]) else { break }
                let line = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                guard let size = Int(line.split(separator: ";").first ?? "", radix: 16), size >= 0 else {
                    throw LocalAPIClientError.malformed(socket: "", detail: "chunk size \"\(line)\"")
                }
                pending.removeFirst(end.upperBound)
                if size == 0 { isFinished = true } else { left = size }
            }
        }
        return body
    }
}
