import CSwiftletRuntime
import ContainerRuntime
import Glibc

/// Talks to `swiftlet-monitor`: launches it for a new container and sends it commands over the
/// unix socket in the container's state directory. All calls block; run them through `Blocking`.
enum MonitorClient {
    /// What the monitor reported after setting the container up.
    struct Launch: Sendable {
        var monitorPID: Int32
        var containerPID: Int32
    }

    /// A step of the init path failed; `step` and `errno` come from the C side.
    struct InitFailure: Error, Sendable, CustomStringConvertible {
        var step: Int32
        var errno: Int32
        var description: String {
            "\(String(cString: SL_step_name(step))): \(String(cString: strerror(errno))) (errno \(errno))"
        }
    }

    /// Starts the monitor for the container whose `spec` is in `directory`, and waits until the
    /// container is set up and waiting for `start` (or failed).
    static func launch(monitorPath: String, directory: String) throws -> Launch {
        var sync = try Pipe()
        let argv = ["swiftlet-monitor", "run", directory]
        let pid = try withCStrings(argv) { argvPointers in
            try withCStrings(["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]) { envPointers in
                let fds: [Int32] = [-1, -1, -1, sync.writeEnd.rawValue]
                return try Syscall.retrying("posix_spawn", monitorPath) {
                    SL_spawn(monitorPath, argvPointers, envPointers, fds, Int32(fds.count), 1)
                }
            }
        }
        sync.writeEnd = FileDescriptor(adopting: -1)
        let line = try readLine(sync.readEnd.rawValue)
        let fields = line.split(separator: " ")
        if fields.first == "created", fields.count == 2, let containerPID = Int32(fields[1]) {
            return Launch(monitorPID: pid, containerPID: containerPID)
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        if fields.first == "error", fields.count == 3, let step = Int32(fields[1]), let error = Int32(fields[2]) {
            throw InitFailure(step: step, errno: error)
        }
        throw RuntimeError.failed("swiftlet-monitor for \(directory) exited without a report (wait status \(status))")
    }

    /// Starts the init of a shared PID namespace; returns its host PID.
    static func launchPodInit(monitorPath: String) throws -> Int32 {
        var output = try Pipe()
        let pid = try withCStrings(["swiftlet-monitor", "pod-init"]) { argv in
            try withCStrings([]) { envp in
                let fds: [Int32] = [-1, output.writeEnd.rawValue, -1]
                return try Syscall.retrying("posix_spawn", monitorPath) { SL_spawn(monitorPath, argv, envp, fds, Int32(fds.count), 1) }
            }
        }
        output.writeEnd = FileDescriptor(adopting: -1)
        let line = try readLine(output.readEnd.rawValue)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard let initPID = Int32(line), initPID > 0 else {
            throw RuntimeError.failed("swiftlet-monitor pod-init did not start (wait status \(status))")
        }
        return initPID
    }

    /// Sends one command (`start`, `reopen`) and returns the monitor's one-line answer.
    static func send(_ command: String, directory: String) throws -> String {
        let socket = try connect(directory: directory)
        try socket.writeAll(Array((command + "\n").utf8))
        return try readLine(socket.rawValue)
    }

    /// Attaches to the container's output (and stdin): returns the connected socket, after which
    /// the monitor sends output frames and takes what is written as stdin.
    static func attach(directory: String) throws -> FileDescriptor {
        let socket = try connect(directory: directory)
        try socket.writeAll(Array("attach\n".utf8))
        let answer = try readLine(socket.rawValue)
        guard answer == "attached" else { throw RuntimeError.failed("attach to the monitor in \(directory): it answered \(answer)") }
        return socket
    }

    /// A connection to the monitor's socket.
    static func connect(directory: String) throws -> FileDescriptor {
        let socketPath = directory + "/monitor.sock"
        let handle = FileDescriptor(adopting: try Syscall.retrying("open", socketPath) { SL_open_path(socketPath) })
        let socket = FileDescriptor(adopting: try Syscall.retrying("socket") {
            Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        })
        // Connecting through /proc/self/fd keeps the address short whatever the directory's length.
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array("/proc/self/fd/\(handle.rawValue)".utf8CString)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            path.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
        let fd = socket.rawValue
        try Syscall.retrying("connect", socketPath) {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        return socket
    }

    /// Reads up to the first newline (the writer may keep its end open).
    static func readLine(_ fd: Int32) throws -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = try Syscall.retrying("read") { read(fd, &byte, 1) }
            if count == 0 || byte == 0x0A { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) throws -> T) rethrows -> T {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return try body(pointers)
}
