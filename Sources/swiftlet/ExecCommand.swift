import ArgumentParser
import Foundation
import NodeAgent

/// `swiftlet exec POD [-c C] [-i] [-t] -- CMD…`: a command in a pod's container through the
/// agent's local API; exits with the command's exit code.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command in a container of a pod of the running agent; exits with its exit code.")
    @OptionGroup var options: LocalAPIOptions
    @Option(name: .shortAndLong, help: "The pod's namespace.") var namespace = "default"
    @Option(name: .shortAndLong, help: "The container (needed when the pod has more than one).") var container: String?
    @Flag(name: [.customShort("i"), .customLong("stdin")], help: "Pass standard input to the command.") var stdin = false
    @Flag(name: .shortAndLong, help: "Run the command on a terminal (with -i, this one in raw mode while it runs).") var tty = false
    @Argument(help: "The pod's name.") var pod: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

    func run() async throws {
        let argv = command
        guard !argv.isEmpty else { throw ValidationError("exec needs a command after the pod's name, e.g. swiftlet exec \(pod) -- sh") }
        let client = try options.client()
        // Raw mode only when keys reach the command: without -i, Ctrl-C must still stop this CLI.
        let terminal = tty && stdin ? RawTerminal(fileDescriptor: 0) : nil
        let (input, continuation) = AsyncStream.makeStream(of: ExecFrame.self)
        if let terminal, let size = terminal.size { continuation.yield(.resize(width: size.width, height: size.height)) }
        // The terminal's new size follows each SIGWINCH.
        let resizes = terminal.map { terminal in
            signal(SIGWINCH, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGWINCH)
            source.setEventHandler {
                if let size = terminal.size { continuation.yield(.resize(width: size.width, height: size.height)) }
            }
            source.resume()
            return source
        }
        defer { resizes?.cancel() }
        if stdin { StandardInputPump.start(into: continuation) }
        let code: Int32
        do {
            code = try await client.exec(
                namespace: namespace, pod: pod, container: container, command: argv, stdin: stdin, tty: tty, input: input
            ) { frame in
                switch frame {
                case .stdout(let bytes): FileHandle.standardOutput.write(Data(bytes))
                case .stderr(let bytes): FileHandle.standardError.write(Data(bytes))
                default: break
                }
            }
        } catch {
            terminal?.restore()
            throw error
        }
        terminal?.restore()
        continuation.finish()
        if code != 0 { throw ExitCode(code) }
    }
}

/// Reads standard input on a thread of its own (a blocking read) and hands it to the exec
/// stream; end of file becomes a stdin-closed frame.
enum StandardInputPump {
    static func start(into continuation: AsyncStream<ExecFrame>.Continuation) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    continuation.yield(.stdinClosed)
                    return
                }
                continuation.yield(.stdin(Array(buffer[0..<count])))
            }
        }
        thread.start()
    }
}
