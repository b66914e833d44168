// The cgroup v2 device program on the real kernel: each test creates its own cgroup in the cgroup2
// hierarchy (/sys/fs/cgroup/unified on a hybrid machine), attaches a program, starts a shell that
// moves itself into the cgroup and opens or creates device nodes, and removes the cgroup after.

import ContainerRuntime
import Foundation
import Glibc
import TestSupport
import Testing

@testable import NativeRuntime

extension Trait where Self == ConditionTrait {
    /// Root (to load BPF programs and create cgroups), a cgroup2 hierarchy, and sh, head and mknod.
    static var cgroup2Devices: Self {
        .requires(.root, .path(CgroupDeviceProgramTests.cgroup2Root + "/cgroup.procs"), .command("sh"), .command("head"), .command("mknod"))
    }
}

@Suite("cgroup v2 device program on the kernel", .cgroup2Devices)
struct CgroupDeviceProgramTests {
    /// Where cgroup2 is mounted: /sys/fs/cgroup/unified on a hybrid machine, /sys/fs/cgroup on a
    /// unified one.
    static let cgroup2Root: String = {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 2, fields[2] == "cgroup2" { return String(fields[1]) }
        }
        return "/sys/fs/cgroup/unified"
    }()

    private static let denied = String(cString: strerror(EPERM))

    /// A new cgroup (its path relative to the cgroup2 root) and a scratch directory for the
    /// shell's files, both removed after `body`.
    private struct Fixture {
        var path: String
        var cgroups: CgroupV2
        var scratch: String

        /// A script line that opens `device` for reading: prints `<device> opened` when it could.
        func open(_ devices: String...) -> String {
            devices.map { "head -c 1 \($0) > '\(scratch)/read' && echo '\($0) opened'" }.joined(separator: "\n")
        }
    }

    private func withCgroup(_ body: (Fixture) throws -> Void) throws {
        var cgroups = CgroupV2(root: Self.cgroup2Root)
        // No controllers are needed (a hybrid machine's cgroup2 may have none to enable).
        cgroups.controllers = []
        let name = "swiftlet-devtest-\(UUID().uuidString.prefix(8))"
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try cgroups.create(name)
        defer { cgroups.remove(name) }
        try body(Fixture(path: name, cgroups: cgroups, scratch: scratch))
    }

    /// Runs `script` in a shell that first moves itself into the cgroup; returns its stdout and
    /// stderr once it has exited (so the cgroup is empty again).
    private func run(in path: String, _ script: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Requirement.executablePath(named: "sh") ?? "/bin/sh")
        process.arguments = ["-c", "echo $$ > '\(Self.cgroup2Root)/\(path)/cgroup.procs' || exit 99\n" + script]
        let output = Foundation.Pipe(), errors = Foundation.Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus != 99, "the shell could not join the cgroup: \(String(decoding: errorData, as: UTF8.self))")
        return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    private typealias Run = (output: String, errors: String)

    /// Expects the shell's open of each device to have succeeded.
    private func expectOpened(_ devices: String..., in shell: Run, sourceLocation: SourceLocation = #_sourceLocation) {
        for device in devices {
            #expect(shell.output.contains("\(device) opened"), "\(shell.errors)", sourceLocation: sourceLocation)
        }
    }

    /// Expects the shell's open of each device to have failed with EPERM (the program's verdict):
    /// no success line, and an error line naming the device and EPERM's message.
    private func expectDenied(_ devices: String..., in shell: Run, sourceLocation: SourceLocation = #_sourceLocation) {
        for device in devices {
            #expect(!shell.output.contains("\(device) opened"), sourceLocation: sourceLocation)
            let lines = shell.errors.split(separator: "\n")
            #expect(lines.contains { $0.contains(device) && $0.contains(Self.denied) }, "\(shell.errors)", sourceLocation: sourceLocation)
        }
    }

    @Test func aProgramAllowingNullLetsAChildOpenNullButNotZero() throws {
        try withCgroup { cgroup in
            #expect(try cgroup.cgroups.restrictDevices(cgroup.path, allowed: ["c 1:3 rwm"]))
            let shell = try run(in: cgroup.path, cgroup.open("/dev/null", "/dev/zero") + "\necho x > /dev/null && echo 'null written'")
            expectOpened("/dev/null", in: shell)
            #expect(shell.output.contains("null written"), "\(shell.errors)")
            expectDenied("/dev/zero", in: shell)
        }
    }

    @Test func wildcardMknodRuleAllowsCreatingCharNodesButNotOpeningThem() throws {
        try withCgroup { cgroup in
            #expect(try cgroup.cgroups.restrictDevices(cgroup.path, allowed: ["c *:* m"]))
            let shell = try run(in: cgroup.path, """
                mknod \(cgroup.scratch)/null c 1 3 && echo 'char node made'
                mknod \(cgroup.scratch)/loop b 7 0 && echo 'block node made'
                \(cgroup.open("/dev/null"))
                """)
            #expect(shell.output.contains("char node made"), "\(shell.errors)")
            #expect(!shell.output.contains("block node made"))
            #expect(shell.errors.split(separator: "\n").contains { $0.contains("loop") && $0.contains(Self.denied) }, "\(shell.errors)")
            expectDenied("/dev/null", in: shell)
        }
    }

    @Test func typeAAllowsEveryDevice() throws {
        try withCgroup { cgroup in
            #expect(try cgroup.cgroups.restrictDevices(cgroup.path, allowed: ["a"]))
            let shell = try run(
                in: cgroup.path, cgroup.open("/dev/null", "/dev/zero", "/dev/full") + "\nmknod \(cgroup.scratch)/loop b 7 0 && echo 'block node made'")
            expectOpened("/dev/null", "/dev/zero", "/dev/full", in: shell)
            #expect(shell.output.contains("block node made"), "\(shell.errors)")
        }
    }

    @Test func anEmptyRuleListDeniesEveryDevice() throws {
        try withCgroup { cgroup in
            #expect(try cgroup.cgroups.restrictDevices(cgroup.path, allowed: []))
            expectDenied("/dev/null", "/dev/zero", in: try run(in: cgroup.path, cgroup.open("/dev/null", "/dev/zero")))
        }
    }

    @Test func newRulesReplaceTheAttachedProgramInsteadOfAddingOne() throws {
        try withCgroup { cgroup in
            let directory = Self.cgroup2Root + "/" + cgroup.path
            #expect(try cgroup.cgroups.restrictDevices(cgroup.path, allowed: ["c 1:3 rwm"]))
            let first = try DeviceProgram.attachedPrograms(cgroup: directory)
            #expect(first.count == 1)
            #expect(try cgroup.cgroups.restrictDevices(cgroup.path, allowed: ["c 1:5 rwm"]))
            #expect(try cgroup.cgroups.restrictDevices(cgroup.path, allowed: ["c 1:5 rwm", "c 1:7 rwm"]))
            let last = try DeviceProgram.attachedPrograms(cgroup: directory)
            #expect(last.count == 1)
            #expect(last != first)
            let shell = try run(in: cgroup.path, cgroup.open("/dev/null", "/dev/zero", "/dev/full"))
            expectDenied("/dev/null", in: shell)
            expectOpened("/dev/zero", "/dev/full", in: shell)
        }
    }

    @Test func theV2DriverGivesAContainerCgroupRuncsDefaultDeviceRules() throws {
        try withCgroup { pod in
            let container = pod.path + "/container"
            try pod.cgroups.create(container)
            defer { pod.cgroups.remove(container) }
            #expect(try pod.cgroups.restrictDevices(container, allowed: defaultDeviceRules))
            // /dev/kmsg (c 1:11) is not on the list; creating its node is ('c *:* m').
            let shell = try run(in: container, pod.open("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom") + """

                echo x > /dev/null && echo 'null written'
                mknod \(pod.scratch)/kmsg c 1 11 && echo 'kmsg node made'
                \(pod.open(pod.scratch + "/kmsg"))
                """)
            expectOpened("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", in: shell)
            #expect(shell.output.contains("null written"), "\(shell.errors)")
            #expect(shell.output.contains("kmsg node made"), "\(shell.errors)")
            expectDenied(pod.scratch + "/kmsg", in: shell)
        }
    }

    @Test func aProgramTheVerifierRefusesIsReportedWithTheVerifiersLog() throws {
        // No exit: the verifier rejects a program that can run off its end.
        let code = BPFInstruction.move32(.r0, 1).bytes
        let error = #expect(throws: BPFLoadError.self) {
            _ = try BPFSystemCall.loadDeviceProgram(code, name: DeviceProgram.kernelName, subject: "test")
        }
        #expect(error?.error.errno == EINVAL)
        #expect(error?.verifierLog.isEmpty == false)
        #expect(error?.description.contains("BPF_PROG_LOAD") == true)
    }

    @Test func aBadRuleIsReportedWithTheCgroupAndTheRule() throws {
        try withCgroup { cgroup in
            let error = #expect(throws: RuntimeError.self) {
                try cgroup.cgroups.restrictDevices(cgroup.path, allowed: ["c 1:3 rwm", "c 1:3 rwx"])
            }
            #expect(error?.description.contains("cgroup \(cgroup.path)") == true)
            #expect(error?.description.contains("'c 1:3 rwx'") == true)
            let attached = try DeviceProgram.attachedPrograms(cgroup: Self.cgroup2Root + "/" + cgroup.path)
            #expect(attached.isEmpty, "nothing is attached when a rule is bad")
        }
    }
}
