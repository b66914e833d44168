import ContainerRuntime
import Foundation
import Synchronization
import Testing

@testable import NativeRuntime

/// A native runtime on a scratch state directory, with a busybox image and a cgroup parent of its
/// own under each v1 controller, all removed by `tearDown()`.
final class RuntimeFixture: Sendable {
    static let image = "busybox:test"
    static let controllers = ["cpu", "cpuacct", "memory", "pids", "devices"]

    let root: String
    let rootfs: String
    let stateDirectory: String
    let runDirectory: String
    let logRoot: String
    let cgroupParent: String
    let monitorPath: String
    let store: DirectoryImageStore
    let runtime: NativeRuntime

    /// The directory holding the test bundle, where SwiftPM also puts swiftlet-monitor.
    static var productsDirectory: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("swiftlet-monitor").path) {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }

    init(config: ImageConfig = ImageConfig(cmd: ["sh"])) async throws {
        root = "/tmp/swiftlet-rt-\(UUID().uuidString.prefix(8))"
        rootfs = root + "/rootfs"
        stateDirectory = root + "/state"
        runDirectory = root + "/run"
        logRoot = root + "/pods"
        cgroupParent = "swiftlet-test-\(UUID().uuidString.prefix(8))"
        monitorPath = Self.productsDirectory + "/swiftlet-monitor"
        try Self.makeBusyboxRootfs(rootfs)
        store = DirectoryImageStore(images: [Self.image: .init(directory: rootfs, config: config)])
        var configuration = NativeRuntimeConfiguration(
            stateDirectory: stateDirectory, runDirectory: runDirectory, monitorPath: monitorPath,
            cgroupMode: .v1(root: "/sys/fs/cgroup", controllers: Self.controllers), cgroupParent: cgroupParent,
            logMaxSizeBytes: 0, rootfs: store, images: store)
        configuration.logger.logLevel = .warning
        runtime = try await NativeRuntime.start(configuration: configuration)
    }

    /// Runs `body` with a fresh fixture and always tears it down afterwards.
    static func with(
        config: ImageConfig = ImageConfig(cmd: ["sh"]), _ body: (RuntimeFixture) async throws -> Void
    ) async throws {
        let fixture = try await RuntimeFixture(config: config)
        do {
            try await body(fixture)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    /// Removes every sandbox through the runtime and records an issue for anything left behind
    /// (a container monitor still running), which it then kills so later tests start clean.
    func tearDown() async {
        do {
            for sandbox in try await runtime.listPodSandboxes(filter: PodSandboxFilter()) {
                try await runtime.removePodSandbox(id: sandbox.id)
            }
        } catch {
            Issue.record("tearing down \(root): \(error)")
        }
        await runtime.shutdown()
        for pid in Self.monitors(under: root) {
            Issue.record("a monitor of \(root) outlived its sandbox: pid \(pid)")
            kill(pid, SIGKILL)
        }
        for controller in Self.controllers { Self.removeCgroupTree("/sys/fs/cgroup/\(controller)/\(cgroupParent)") }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// PIDs of `swiftlet-monitor run` processes whose state directory is under `root`.
    static func monitors(under root: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.count == 3 && arguments[1] == "run" && arguments[2].hasPrefix(root + "/") ? pid : nil
        }
    }

    static func removeCgroupTree(_ path: String) {
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + child, isDirectory: &isDirectory), isDirectory.boolValue {
                removeCgroupTree(path + "/" + child)
            }
        }
        rmdir(path)
    }

    /// busybox-static with its applets as symlinks, /etc/passwd and /etc/group, and the syscall probe.
    static func makeBusyboxRootfs(_ path: String) throws {
        let manager = FileManager.default
        for directory in ["bin", "etc", "tmp", "root", "home/app", "proc", "sys", "dev"] {
            try manager.createDirectory(atPath: "\(path)/\(directory)", withIntermediateDirectories: true)
        }
        try manager.copyItem(atPath: "/usr/bin/busybox", toPath: "\(path)/bin/busybox")
        let applets = try run("/usr/bin/busybox", ["--list"]).split(separator: "\n").map(String.init)
        for applet in applets where applet != "busybox" {
            try? manager.createSymbolicLink(atPath: "\(path)/bin/\(applet)", withDestinationPath: "busybox")
        }
        try "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
            .write(toFile: "\(path)/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n"
            .write(toFile: "\(path)/etc/group", atomically: true, encoding: .utf8)
        guard manager.createFile(atPath: "\(path)/bin/probe", contents: try compiledProbe.get(), attributes: [.posixPermissions: 0o755]) else {
            throw ContractViolationLike("cannot write \(path)/bin/probe")
        }
    }

    /// The syscall probe, compiled once per test process into a scratch directory that is gone
    /// again when the compiled binary has been read into memory.
    static let compiledProbe: Result<Data, any Error> = Result {
        let directory = NSTemporaryDirectory() + "swiftlet-probe-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try syscallProbeSource.write(toFile: directory + "/probe.c", atomically: true, encoding: .utf8)
        try run("/usr/bin/cc", ["-static", "-O1", "-o", directory + "/probe", directory + "/probe.c"])
        return try Data(contentsOf: URL(fileURLWithPath: directory + "/probe"))
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Foundation.Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ContractViolationLike("\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    // MARK: Helpers for tests

    private static let serial = Mutex(0)

    func sandboxConfig(_ name: String, hostname: String = "") -> PodSandboxConfig {
        let number = Self.serial.withLock { $0 += 1; return $0 }
        let metadata = PodSandboxMetadata(name: "\(name)-\(number)", uid: "uid-\(number)-\(UUID().uuidString.prefix(6))", namespace: "test")
        return PodSandboxConfig(metadata: metadata, hostname: hostname, logDirectory: metadata.logDirectory(root: logRoot))
    }

    func containerConfig(_ name: String, _ argv: [String], configure: (inout ContainerConfig) -> Void = { _ in }) -> ContainerConfig {
        var config = ContainerConfig(metadata: ContainerMetadata(name: name), image: ImageSpec(Self.image), command: argv, logPath: "\(name)/0.log")
        configure(&config)
        return config
    }

    /// Runs a sandbox with one started container; returns both IDs.
    func runContainer(
        _ name: String, _ argv: [String], hostname: String = "", configure: (inout ContainerConfig) -> Void = { _ in }
    ) async throws -> (sandbox: String, container: String, sandboxConfig: PodSandboxConfig) {
        let sandboxConfig = self.sandboxConfig(name, hostname: hostname)
        let sandboxID = try await runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
        let id = try await runtime.createContainer(
            podSandboxID: sandboxID, config: containerConfig(name, argv, configure: configure), sandboxConfig: sandboxConfig)
        try await runtime.startContainer(id: id)
        return (sandboxID, id, sandboxConfig)
    }

    /// Waits (on the event stream) until the container has exited; returns its status.
    func waitUntilExited(_ id: String, seconds: Double = 20) async throws -> ContainerStatus {
        let events = await runtime.containerEvents()
        let current = try await runtime.containerStatus(id: id)
        if current.state == .exited { return current }
        let runtime = self.runtime
        return try await withThrowingTaskGroup(of: ContainerStatus?.self) { group in
            group.addTask {
                for await event in events where event.containerID == id && event.kind == .stopped { return event.status }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            if let status = try await group.next() ?? nil { return status }
            let late = try await runtime.containerStatus(id: id)
            if late.state == .exited { return late }
            throw ContractViolationLike("container \(id) did not exit within \(seconds)s")
        }
    }

    func logLines(_ sandboxConfig: PodSandboxConfig, _ name: String) throws -> [CRILogLine] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(sandboxConfig.logDirectory)/\(name)/0.log"))
        return CRILogLine.parseAll(Array(data))
    }
}

struct ContractViolationLike: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Built statically into the test rootfs: tries one system call and prints OK or EPERM (or the error).
let syscallProbeSource = #"""
// Built statically into the test rootfs: tries one system call and prints OK or the errno name.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    long result = -1;
    if (!strcmp(argv[1], "mount")) result = mount("none", "/tmp", "tmpfs", 0, NULL);
    else if (!strcmp(argv[1], "unshare")) result = unshare(CLONE_NEWNS);
    else if (!strcmp(argv[1], "keyctl")) result = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
    else if (!strcmp(argv[1], "getpid")) result = syscall(SYS_getpid);
    else return 2;
    if (result >= 0) { printf("OK\n"); return 0; }
    printf("%s\n", errno == EPERM ? "EPERM" : strerror(errno));
    return 1;
}
"""#
