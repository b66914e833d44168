import ContainerRuntime

extension LocalAPIConnection {
    /// Runs a command in a pod's container and carries its streams as ``ExecFrame``s after
    /// `101 Switching Protocols`; the last frame is the exit code (or an error starting it).
    func exec(namespace: String, name: String, request: LocalAPIRequest, reader: inout ByteReader, writer: ResponseWriter) async throws {
        guard request.headers["upgrade"]?.lowercased() == Self.execProtocol else {
            throw LocalAPIError(code: 400, reason: "BadRequest", message: "exec: expected the header Upgrade: \(Self.execProtocol)")
        }
        let command = request.parameters("command")
        guard !command.isEmpty else { throw LocalAPIError.badRequest("exec: expected at least one command parameter") }
        let id = try await pods.containerID(namespace: namespace, name: name, container: request.parameter("container"), previous: false)
        let tty = request.flag("tty")
        try await writer.write(ResponseWriter.head(status: 101, headers: [("Connection", "Upgrade"), ("Upgrade", Self.execProtocol)]))
        let process: any ProcessStream
        do {
            process = try await pods.runtime.exec(
                ExecRequest(containerID: id, command: command, tty: tty, stdin: request.flag("stdin"), stdout: true, stderr: !tty))
        } catch {
            try await writer.write(ExecFrame.error("exec in pod \"\(name)\": \(error)").encoded)
            return
        }
        logger.info("exec", metadata: ["pod": "\(namespace)/\(name)", "container": "\(id)", "command": "\(command.joined(separator: " "))"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await chunk in process.output {
                    try await writer.write((chunk.channel == .stdout ? ExecFrame.stdout(chunk.bytes) : .stderr(chunk.bytes)).encoded)
                }
                try await writer.write(ExecFrame.exit(try await process.waitForExit()).encoded)
            }
            var buffer = reader.pending
            reader.pending = []
            reading: while true {
                while let frame = try ExecFrame.take(from: &buffer) {
                    switch frame {
                    case .stdin(let bytes): try? await process.write(stdin: bytes)
                    case .resize(let width, let height): try? await process.resize(TerminalSize(width: width, height: height))
                    case .stdinClosed: await process.closeStdin()
                    case .stdout, .stderr, .exit, .error: break
                    }
                }
                guard let more = try await reader.next() else { break reading }
                buffer += more
            }
            // The client went away (or finished): the command reads end of file.
            await process.closeStdin()
            try await group.waitForAll()
        }
    }
}
