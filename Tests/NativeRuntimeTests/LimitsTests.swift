// Cgroup limits hold on the real kernel (cgroup v1 here) and their effects are reported.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("Native runtime limits", .kernelRuntime, .serialized)
struct LimitsTests {
    @Test func memoryHogIsOOMKilledAndReportedSo() async throws {
        try await RuntimeFixture.with { fixture in
            // busybox tail keeps an ever longer "line" of /dev/zero in memory.
            let (_, id, _) = try await fixture.runContainer("hog", ["tail", "/dev/zero"]) {
                $0.linux.resources.memoryLimitInBytes = 32 * 1024 * 1024
            }
            let status = try await fixture.waitUntilExited(id, seconds: 30)
            #expect(status.reason == ContainerStatus.reasonOOMKilled)
            #expect(status.exitCode == 137)
            #expect(status.finishedAt >= status.startedAt)
        }
    }

    @Test func pidsLimitHoldsInsideTheContainer() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("forks", ["sleep", "600"]) { $0.linux.resources.pidsLimit = 5 }
            let result = try await fixture.runtime.execSync(
                containerID: id, command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; sleep 1; ls /proc | grep -cE '^[0-9]+$'"],
                timeout: 20)
            #expect(result.stderrText.contains("can't fork"), "stderr: \(result.stderrText)")
            let stats = try await fixture.runtime.containerStats(id: id)
            let pids = try #require(stats.pids)
            #expect(pids <= 5)
        }
    }

    @Test func cpuAndMemoryLimitsAreWrittenToTheContainersCgroup() async throws {
        try await RuntimeFixture.with { fixture in
            let (sandboxID, id, sandboxConfig) = try await fixture.runContainer("limits", ["sleep", "600"]) {
                $0.linux.resources = LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512, memoryLimitInBytes: 64 << 20, pidsLimit: 100)
            }
            let cgroup = "\(fixture.cgroupParent)/pod\(sandboxConfig.metadata.uid)/\(id)"
            func read(_ file: String) throws -> String {
                try String(contentsOfFile: "/sys/fs/cgroup/\(file.split(separator: "/")[0])/\(cgroup)/\(file.split(separator: "/")[1])", encoding: .utf8)
            }
            #expect(try read("cpu/cpu.cfs_quota_us") == "50000\n")
            #expect(try read("cpu/cpu.cfs_period_us") == "100000\n")
            #expect(try read("cpu/cpu.shares") == "512\n")
            #expect(try read("memory/memory.limit_in_bytes") == "\(64 << 20)\n")
            #expect(try read("pids/pids.max") == "100\n")
            let procs = try read("memory/cgroup.procs")
            let status = try await fixture.runtime.containerStatus(id: id)
            #expect(procs.split(separator: "\n").contains(Substring(String(status.pid))))

            try await fixture.runtime.updateContainerResources(id: id, resources: LinuxContainerResources(memoryLimitInBytes: 128 << 20))
            #expect(try read("memory/memory.limit_in_bytes") == "\(128 << 20)\n")
            _ = sandboxID
        }
    }

    @Test func statsComeFromTheCgroup() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("busy", ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 600"])
            try await Task.sleep(for: .milliseconds(500))
            let stats = try await fixture.runtime.containerStats(id: id)
            #expect((stats.cpuUsageCoreNanoSeconds ?? 0) > 0)
            #expect((stats.memoryUsageBytes ?? 0) > 0)
            #expect((stats.memoryWorkingSetBytes ?? 0) > 0)
            #expect(stats.pids == 1)
            let listed = try await fixture.runtime.listContainerStats(filter: ContainerStatsFilter(id: id))
            #expect(listed.map(\.id) == [id])
        }
    }
}
