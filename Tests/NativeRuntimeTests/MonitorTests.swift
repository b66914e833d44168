// The per-container monitor stays small: its resident set is within the 2 MiB budget.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("swiftlet-monitor", .kernelRuntime, .serialized)
struct MonitorTests {
    @Test func monitorResidentSetIsAtMostTwoMiB() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("chatty", ["sh", "-c", "while true; do echo tick; sleep 0.05; done"])
            try await Task.sleep(for: .milliseconds(500))
            let record = try #require(await fixture.runtime.containers[id])
            let monitorPID = try #require(record.lifecycle.pids?.monitor)
            let status = try String(contentsOfFile: "/proc/\(monitorPID)/status", encoding: .utf8)
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
            let kibibytes = try #require(Int(line.split(separator: " ").dropFirst().first ?? ""))
            #expect(kibibytes <= 2048, "monitor VmRSS is \(kibibytes) KiB")
            print("monitor_rss_kib \(kibibytes)")
        }
    }

    @Test func monitorSurvivesInTheSandboxCgroupNotTheContainers() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer("placed", ["sleep", "600"])
            let record = try #require(await fixture.runtime.containers[id])
            let monitorPID = try #require(record.lifecycle.pids?.monitor)
            let podProcs = try String(contentsOfFile: "/sys/fs/cgroup/memory/\(fixture.cgroupParent)/pod\(sandboxConfig.metadata.uid)/cgroup.procs", encoding: .utf8)
            #expect(podProcs.split(separator: "\n").contains(Substring(String(monitorPID))))
        }
    }
}
