/// A streaming exec (CRI `ExecRequest`). CRI answers with a URL; this protocol hands back the
/// streams themselves, and a server maps them onto SPDY/WebSocket.
public struct ExecRequest: Sendable, Equatable {
    public var containerID: String
    public var command: [String]
    public var tty: Bool
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool

    public init(containerID: String, command: [String], tty: Bool = false, stdin: Bool = false, stdout: Bool = true, stderr: Bool = true) {
        self.containerID = containerID
        self.command = command
        self.tty = tty
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Attaching to a container's main process (CRI `AttachRequest`).
public struct AttachRequest: Sendable, Equatable {
    public var containerID: String
    public var tty: Bool
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool

    public init(containerID: String, tty: Bool = false, stdin: Bool = false, stdout: Bool = true, stderr: Bool = true) {
        self.containerID = containerID
        self.tty = tty
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Which stream a piece of output came from.
public enum OutputChannel: Sendable, Equatable { case stdout, stderr }

/// A piece of a process's output.
public struct OutputChunk: Sendable, Equatable {
    public var channel: OutputChannel
    public var bytes: [UInt8]

    public init(channel: OutputChannel, bytes: [UInt8]) {
        self.channel = channel
        self.bytes = bytes
    }
}

/// A terminal size in character cells.
public struct TerminalSize: Sendable, Equatable {
    public var width: UInt16
    public var height: UInt16

    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }
}

/// The live streams of an exec'd or attached process.
public protocol ProcessStream: Sendable {
    /// Output in the order it was read; finishes when the process has closed its output.
    var output: AsyncStream<OutputChunk> { get }
    /// Writes to the process's stdin. Throws when stdin was not requested or is closed.
    func write(stdin bytes: [UInt8]) async throws
    /// Closes stdin (the process reads end-of-file).
    func closeStdin() async
    /// Changes the terminal size of a `tty` session.
    func resize(_ size: TerminalSize) async throws
    /// Waits for the process to exit and returns its exit code (128 + signal when killed).
    func waitForExit() async throws -> Int32
}
