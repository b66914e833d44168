import ContainerRuntime
import Foundation

extension LocalAPIConnection {
    /// How often a followed log is checked for new lines once it has been read to its end.
    static let followInterval: Duration = .milliseconds(100)

    /// Streams a container's log as kubectl prints it: the message text of each line, both
    /// streams interleaved in the order written. `tailLines` starts that many lines from the end,
    /// `limitBytes` stops after that many bytes, `follow` keeps streaming until the container
    /// stops or the client goes away.
    func streamLog(
        namespace: String, name: String, request: LocalAPIRequest, writer: ResponseWriter, isActive: @escaping @Sendable () -> Bool
    ) async throws {
        let previous = request.flag("previous")
        let id = try await pods.containerID(namespace: namespace, name: name, container: request.parameter("container"), previous: previous)
        let logPath: String
        do {
            logPath = try await pods.runtime.containerStatus(id: id).logPath
        } catch {
            throw LocalAPIError.notFound("container \(id) of pod \"\(name)\": \(error)")
        }
        guard var handle = FileHandle(forReadingAtPath: logPath) else {
            throw LocalAPIError.notFound("log of pod \"\(name)\" cannot be read: \(logPath)")
        }
        defer { try? handle.close() }
        let follow = request.flag("follow") && !previous
        var text = LogText(remaining: request.parameter("limitBytes").flatMap(Int.init))
        try await writer.write(ResponseWriter.head(
            status: 200, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Transfer-Encoding", "chunked")]))

        var first = try text.take(handle.readToEnd() ?? Data())
        if let tail = request.parameter("tailLines").flatMap(Int.init), tail >= 0 {
            first = Array(first.suffix(tail))
        }
        try await text.send(first.flatMap { $0 }, writer: writer)
        while follow && !text.isExhausted {
            let data = try handle.read(upToCount: 64 * 1024) ?? Data()
            if !data.isEmpty {
                try await text.send(text.take(data).flatMap { $0 }, writer: writer)
                continue
            }
            if let next = Self.replacement(of: handle, at: logPath) {
                // Rotated: the runtime writes only to the new file once it exists, so the rest of
                // the old one comes first, then the new one from its start.
                try await text.send(text.take(try handle.readToEnd() ?? Data()).flatMap { $0 }, writer: writer)
                try? handle.close()
                handle = next
                continue
            }
            let running = (try? await pods.runtime.containerStatus(id: id).state) == .running
            guard running, isActive() else {
                // What was written between the last read and the exit.
                try await text.send(text.take(try handle.readToEnd() ?? Data()).flatMap { $0 }, writer: writer)
                break
            }
            try await Task.sleep(for: Self.followInterval)
        }
        try await writer.write(ResponseWriter.chunk([]))
    }
}

extension LocalAPIConnection {
    /// The file now at `path` when it is no longer the one `handle` reads (the log was rotated:
    /// renamed away and a new one made at the path); nil while it is the same file or none is there.
    static func replacement(of handle: FileHandle, at path: String) -> FileHandle? {
        var open = stat()
        var named = stat()
        guard fstat(handle.fileDescriptor, &open) == 0, stat(path, &named) == 0 else { return nil }
        guard open.st_ino != named.st_ino || open.st_dev != named.st_dev else { return nil }
        return FileHandle(forReadingAtPath: path)
    }
}

/// Turns CRI log file bytes into the lines' message text, keeping an unfinished line for the
/// next read and counting down `limitBytes`.
struct LogText {
    /// Bytes still allowed; nil for no limit.
    var remaining: Int?
    private var pending: [UInt8] = []
    private var pieces: [UInt8] = []

    init(remaining: Int?) { self.remaining = remaining }

    var isExhausted: Bool { remaining.map { $0 <= 0 } ?? false }

    /// The complete log lines in `data` (after what was pending), as text with its newline; a
    /// line split in `P` pieces comes out whole, when its `F` piece arrives.
    mutating func take(_ data: Data) -> [[UInt8]] {
        pending += data
        guard let lastNewline = pending.lastIndex(of: 0x0A) else { return [] }
        let complete = pending[...lastNewline]
        var lines: [[UInt8]] = []
        for line in CRILogLine.parseAll(Array(complete)) {
            pieces += line.content
            if !line.isPartial {
                lines.append(pieces + [0x0A])
                pieces = []
            }
        }
        pending.removeFirst(lastNewline + 1)
        return lines
    }

    /// `bytes` cut at the byte limit, counted against it.
    mutating func allow(_ bytes: [UInt8]) -> [UInt8] {
        guard let remaining else { return bytes }
        let allowed = Array(bytes.prefix(max(0, remaining)))
        self.remaining = remaining - allowed.count
        return allowed
    }

    /// Sends what the byte limit allows of `bytes` as one chunk.
    mutating func send(_ bytes: [UInt8], writer: ResponseWriter) async throws {
        let allowed = allow(bytes)
        if !allowed.isEmpty { try await writer.write(ResponseWriter.chunk(allowed)) }
    }
}
