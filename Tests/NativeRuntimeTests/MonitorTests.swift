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
            // The monitor moves there right after answering "started", off the start path.
            let procsPath = "/sys/fs/cgroup/memory/\(fixture.cgroupParent)/pod\(sandboxConfig.metadata.uid)/cgroup.procs"
            var placed = false
            for _ in 0..<100 where !placed {
                placed = try String(contentsOfFile: procsPath, encoding: .utf8).split(separator: "\n").contains(Substring(String(monitorPID)))
                if !placed { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(placed, "monitor \(monitorPID) is not in \(procsPath)")
        }
    }

    @Test func createdContainerInitExitsWhenItsMonitorIsKilledBeforeStart() async throws {
        try await RuntimeFixture.with { fixture in
            let sandboxConfig = fixture.sandboxConfig("orphaned")
            let sandboxID = try await fixture.runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            let id = try await fixture.runtime.createContainer(
                podSandboxID: sandboxID, config: fixture.containerConfig("orphaned", ["sleep", "600"]), sandboxConfig: sandboxConfig)
            let record = try #require(await fixture.runtime.containers[id])
            let (initPID, monitorPID) = try #require(record.lifecycle.pids)
            #expect(Self.isAlive(initPID), "the created container's init \(initPID) waits for start")
            #expect(kill(monitorPID, SIGKILL) == 0)
            // Without the monitor's end of the start pipe open anywhere, the init reads end of
            // file and exits instead of waiting for a start byte that can never come.
            var alive = true
            for _ in 0..<200 where alive {
                alive = Self.isAlive(initPID)
                if alive { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(!alive, "init \(initPID) still waits after its monitor \(monitorPID) was killed")
        }
    }

    /// Whether `pid` is a process that has not exited (a zombie has exited).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }
}
