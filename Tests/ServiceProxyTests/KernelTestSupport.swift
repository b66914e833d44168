// Test support for the kernel and traffic tests: network namespaces the test creates (and
// removes, even when it fails), commands run inside them, and background servers.

import Foundation
import TestSupport
import Testing

/// What the kernel tests need: root, Debian's `ip` and `nft`, and busybox-static (TestSupport's
/// requirements: skipped without them on a developer's machine, failed under `CI=true`).
enum KernelEnvironment {
    static let nft = "/usr/sbin/nft"
    static let ip = "/usr/sbin/ip"
    static let busybox = "/bin/busybox"

    static let requirements: [Requirement] = [.root, .command(nft), .command(ip), .command(busybox)]
}

extension Trait where Self == ConditionTrait {
    /// The kernel and traffic suites' requirements.
    static var kernel: Self { .requires(.root, .command(KernelEnvironment.nft), .command(KernelEnvironment.ip), .command(KernelEnvironment.busybox)) }
}

struct CommandFailure: Error, CustomStringConvertible {
    var command: [String]
    var status: Int32
    var output: String
    var description: String { "\(command.joined(separator: " ")) exited \(status): \(output)" }
}

/// Runs a command to completion; returns standard output, or throws with standard error.
@discardableResult
func run(_ arguments: [String], input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    let inputPipe = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try inputPipe.fileHandleForWriting.close()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CommandFailure(command: arguments, status: process.terminationStatus,
                             output: String(decoding: errorData + data, as: UTF8.self))
    }
    return String(decoding: data, as: UTF8.self)
}

/// A network namespace for one test, deleted (with its processes stopped) when it goes away.
final class TestNamespace {
    let name: String
    private var processes: [Process] = []
    var path: String { "/run/netns/\(name)" }

    init(_ role: String) throws {
        for requirement in KernelEnvironment.requirements { try requirement.verify() }
        name = "sp-\(role)-\(UInt32.random(in: 0...UInt32.max))"
        try run([KernelEnvironment.ip, "netns", "add", name])
        try exec(["/usr/sbin/ip", "link", "set", "lo", "up"])
    }

    deinit {
        // SIGKILL: the servers may inherit an ignored SIGTERM from the test runner.
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        _ = try? run([KernelEnvironment.ip, "netns", "delete", name])
    }

    /// Runs a command inside the namespace.
    @discardableResult
    func exec(_ arguments: [String], input: String? = nil) throws -> String {
        try run([KernelEnvironment.ip, "netns", "exec", name] + arguments, input: input)
    }

    /// `ip` with the namespace selected.
    @discardableResult
    func ip(_ arguments: String) throws -> String {
        try run([KernelEnvironment.ip, "-n", name] + arguments.split(separator: " ").map(String.init))
    }

    /// `nft` inside the namespace.
    @discardableResult
    func nft(_ arguments: [String], input: String? = nil) throws -> String {
        try exec([KernelEnvironment.nft] + arguments, input: input)
    }

    /// Starts a long-running command inside the namespace; it is stopped with the namespace.
    func start(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KernelEnvironment.ip)
        process.arguments = ["netns", "exec", name] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
    }

    /// Connects this namespace to `peer` with a veth pair: `local` (address/prefix) on this side
    /// as `localName`, `remote` on the peer's side as `remoteName`.
    func link(to peer: TestNamespace, localName: String, local: String, remoteName: String, remote: String) throws {
        try ip("link add \(localName) type veth peer name \(remoteName) netns \(peer.name)")
        try ip("addr add \(local) dev \(localName)")
        try ip("link set \(localName) up")
        try peer.ip("addr add \(remote) dev \(remoteName)")
        try peer.ip("link set \(remoteName) up")
    }
}

/// Dated directories for the backends' files, removed at the end.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}
