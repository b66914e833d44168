import CSwiftletRuntime
import ContainerRuntime
import Glibc
import Synchronization

/// Streams attached to a container's main process through its monitor (CRI Attach). The monitor
/// sends output as frames of [channel: 1 byte][length: 4 bytes, big-endian][bytes]; what is
/// written here reaches the container's stdin if it was created with `stdin`.
final class AttachSession: ProcessStream {
    let output: AsyncStream<OutputChunk>
    private let socket: Int32
    private let waitExit: @Sendable () async throws -> Int32
    private let directory: String
    private let tty: Bool

    /// `tty`: the container runs on a terminal, which `resize` changes.
    init(directory: String, tty: Bool, waitExit: @escaping @Sendable () async throws -> Int32) throws {
        self.directory = directory
        self.tty = tty
        socket = try MonitorClient.attach(directory: directory).take()
        self.waitExit = waitExit
        let (stream, continuation) = AsyncStream.makeStream(of: OutputChunk.self)
        output = stream
        let reader = dup(socket)
        detachNewReader {
            defer {
                close(reader)
                continuation.finish()
            }
            func readExactly(_ count: Int) -> [UInt8]? {
                var bytes = [UInt8](repeating: 0, count: count)
                var filled = 0
                while filled < count {
                    let got = bytes.withUnsafeMutableBytes { read(reader, $0.baseAddress! + filled, count - filled) }
                    if got < 0 && errno == EINTR { continue }
                    if got <= 0 { return nil }
                    filled += got
                }
                return bytes
            }
            while let header = readExactly(5) {
                let length = Int(header[1]) << 24 | Int(header[2]) << 16 | Int(header[3]) << 8 | Int(header[4])
                guard let bytes = readExactly(length) else { return }
                continuation.yield(OutputChunk(channel: header[0] == 2 ? .stderr : .stdout, bytes: bytes))
            }
        }
    }

    func write(stdin bytes: [UInt8]) async throws {
        let fd = dup(socket)
        try await Blocking.run { try FileDescriptor(adopting: fd).writeAll(bytes) }
    }

    func closeStdin() async { shutdown(socket, Int32(SHUT_WR)) }

    func resize(_ size: TerminalSize) async throws {
        guard tty else { throw RuntimeError.invalidState(id: directory, state: "without a tty", operation: "resize") }
        let directory = self.directory
        let answer = try await Blocking.run { try MonitorClient.send("resize \(size.height) \(size.width)", directory: directory) }
        guard answer == "resized" else { throw RuntimeError.failed("resize the terminal of \(directory): the monitor answered \(answer)") }
    }

    func waitForExit() async throws -> Int32 { try await waitExit() }

    deinit { close(socket) }
}
