// The cgroup v2 writer against a fake cgroupfs tree in a temporary directory: the files and the
// values it writes are exactly what the kernel's unified hierarchy expects.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("cgroup v2 writer on a fake tree")
struct CgroupV2Tests {
    private func withTree(_ body: (String, CgroupV2) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(root, CgroupV2(root: root))
    }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func creatingACgroupEnablesControllersAlongThePath() throws {
        try withTree { root, cgroups in
            try cgroups.create("kubepods/pod1/c1")
            #expect(try read(root + "/cgroup.subtree_control") == "+cpu +memory +pids")
            #expect(try read(root + "/kubepods/cgroup.subtree_control") == "+cpu +memory +pids")
            #expect(try read(root + "/kubepods/pod1/cgroup.subtree_control") == "+cpu +memory +pids")
            #expect(FileManager.default.fileExists(atPath: root + "/kubepods/pod1/c1"))
            #expect(!FileManager.default.fileExists(atPath: root + "/kubepods/pod1/c1/cgroup.subtree_control"))
            #expect(cgroups.procsFiles("kubepods/pod1/c1") == [root + "/kubepods/pod1/c1/cgroup.procs"])
        }
    }

    @Test func limitsAreWrittenInV2Units() throws {
        try withTree { root, cgroups in
            try cgroups.create("pod/c")
            try cgroups.apply("pod/c", LinuxContainerResources(
                cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 1024, memoryLimitInBytes: 64 << 20, cpusetCpus: "0-1",
                pidsLimit: 42, unified: ["memory.high": "50000000"]))
            let directory = root + "/pod/c"
            #expect(try read(directory + "/cpu.weight") == "39")
            #expect(try read(directory + "/cpu.max") == "50000 100000")
            #expect(try read(directory + "/memory.max") == "\(64 << 20)")
            #expect(try read(directory + "/pids.max") == "42")
            #expect(try read(directory + "/cpuset.cpus") == "0-1")
            #expect(try read(directory + "/memory.high") == "50000000")
        }
    }

    @Test func unlimitedQuotaIsWrittenAsMax() throws {
        try withTree { root, cgroups in
            try cgroups.create("p")
            try cgroups.apply("p", LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: -1))
            #expect(try read(root + "/p/cpu.max") == "max 100000")
        }
    }

    @Test func sharesConvertToWeightAsRuncDoes() {
        #expect(CgroupV2.weight(fromShares: 2) == 1)
        #expect(CgroupV2.weight(fromShares: 1024) == 39)
        #expect(CgroupV2.weight(fromShares: 262_144) == 10_000)
    }

    @Test func unifiedKeysThatLeaveTheCgroupAreRejected() throws {
        try withTree { _, cgroups in
            try cgroups.create("p")
            #expect(throws: RuntimeError.self) { try cgroups.apply("p", LinuxContainerResources(unified: ["../escape": "1"])) }
        }
    }

    @Test func usageAndOOMKillsAreReadFromTheV2Files() throws {
        try withTree { root, cgroups in
            try cgroups.create("p")
            let directory = root + "/p"
            try "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n".write(toFile: directory + "/cpu.stat", atomically: true, encoding: .utf8)
            try "1048576\n".write(toFile: directory + "/memory.current", atomically: true, encoding: .utf8)
            try "anon 524288\ninactive_file 262144\n".write(toFile: directory + "/memory.stat", atomically: true, encoding: .utf8)
            try "3\n".write(toFile: directory + "/pids.current", atomically: true, encoding: .utf8)
            try "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n".write(toFile: directory + "/memory.events", atomically: true, encoding: .utf8)
            let usage = cgroups.usage("p")
            #expect(usage == CgroupUsage(
                cpuNanoseconds: 1_500_000, memoryUsageBytes: 1_048_576, memoryWorkingSetBytes: 786_432, memoryRSSBytes: 524_288, pids: 3))
            #expect(cgroups.oomKillCount("p") == 1)
        }
    }
}
