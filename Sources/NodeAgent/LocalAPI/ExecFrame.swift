// The exec stream of the local API, after `POST …/exec` answered `101 Switching Protocols`
// (`Upgrade: swiftlet-exec.v1`): both directions carry frames on the same unix socket.
//
//   +--------+----------------------------+------------------+
//   | kind   | length (UInt32 big-endian) | payload (length) |
//   | 1 byte | 4 bytes                    | bytes            |
//   +--------+----------------------------+------------------+
//
// kind  direction        payload
//  0    client → agent   stdin bytes
//  1    agent → client   stdout bytes
//  2    agent → client   stderr bytes (not sent with a tty: the terminal merges both)
//  3    client → agent   terminal size: width, height (UInt16 big-endian each)
//  4    agent → client   the command's exit code (Int32 big-endian); the last frame
//  5    client → agent   stdin closed (end of file), empty
//  6    agent → client   an error starting the command (UTF-8 text); the last frame
//
// A payload is at most 1 MiB; a larger length, or an unknown kind, ends the stream.

/// One frame of the exec stream (see the table at the top of `ExecFrame.swift`).
public enum ExecFrame: Sendable, Equatable {
    case stdin([UInt8])
    case stdout([UInt8])
    case stderr([UInt8])
    case resize(width: UInt16, height: UInt16)
    case exit(Int32)
    case stdinClosed
    case error(String)

    /// The largest payload a frame may carry.
    public static let maximumPayload = 1 << 20

    /// The frame as it goes on the wire.
    public var encoded: [UInt8] {
        let (kind, payload): (UInt8, [UInt8])
        switch self {
        case .stdin(let bytes): (kind, payload) = (0, bytes)
        case .stdout(let bytes): (kind, payload) = (1, bytes)
        case .stderr(let bytes): (kind, payload) = (2, bytes)
        case .resize(let width, let height): (kind, payload) = (3, Self.bigEndian(width) + Self.bigEndian(height))
        case .exit(let code): (kind, payload) = (4, Self.bigEndian(UInt32(bitPattern: code)))
        case .stdinClosed: (kind, payload) = (5, [])
        case .error(let text): (kind, payload) = (6, Array(text.utf8))
        }
        return [kind] + Self.bigEndian(UInt32(payload.count)) + payload
    }

    /// Takes one whole frame from the front of `buffer`; `nil` while the frame is incomplete.
    ///
    /// - Throws: ``ExecFrameError`` for an unknown kind, an oversized length or a malformed payload.
    public static func take(from buffer: inout [UInt8]) throws(ExecFrameError) -> ExecFrame? {
        guard buffer.count >= 5 else { return nil }
        let length = buffer[1..<5].reduce(0) { $0 << 8 | Int($1) }
        guard length <= maximumPayload else { throw .oversized(length) }
        guard buffer.count >= 5 + length else { return nil }
        let kind = buffer[0]
        let payload = Array(buffer[5..<(5 + length)])
        buffer.removeFirst(5 + length)
        switch kind {
        case 0: return .stdin(payload)
        case 1: return .stdout(payload)
        case 2: return .stderr(payload)
        case 3:
            guard payload.count == 4 else { throw .malformed(kind: kind, length: payload.count) }
            return .resize(width: UInt16(payload[0]) << 8 | UInt16(payload[1]), height: UInt16(payload[2]) << 8 | UInt16(payload[3]))
        case 4:
            guard payload.count == 4 else { throw .malformed(kind: kind, length: payload.count) }
            return .exit(Int32(bitPattern: payload.reduce(0) { $0 << 8 | UInt32($1) }))
        case 5: return .stdinClosed
        case 6: return .error(String(decoding: payload, as: UTF8.self))
        default: throw .unknownKind(kind)
        }
    }

    private static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// Why an exec stream could not be read.
public enum ExecFrameError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownKind(UInt8)
    case oversized(Int)
    case malformed(kind: UInt8, length: Int)

    public var description: String {
        switch self {
        case .unknownKind(let kind): "exec stream: unknown frame kind \(kind), expected 0 to 6"
        case .oversized(let length): "exec stream: frame of \(length) bytes, expected at most \(ExecFrame.maximumPayload)"
        case .malformed(let kind, let length): "exec stream: frame kind \(kind) with \(length) payload bytes, expected 4"
        }
    }
}
