// Containers outlive the agent: an agent process killed with SIGKILL leaves its containers to
// their monitors, and a new agent on the same state adopts the running ones and learns the exit
// codes of those that ended while no agent was running.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("Native runtime adoption", .kernelRuntime, .serialized)
struct AdoptionTests {
    @Test func restartedAgentAdoptsRunningContainerAndLearnsExitOfOneThatEndedMeanwhile() async throws {
        try await RuntimeFixture.with { fixture in
            let agentState = fixture.root + "/agent-state"
            // The "agent": a separate process running NativeRuntime, killed with SIGKILL below.
            let agent = Process()
            agent.executableURL = URL(fileURLWithPath: RuntimeFixture.productsDirectory + "/swiftlet-runtime-tool")
            agent.arguments = [
                "hold", "--state", agentState, "--rootfs", fixture.rootfs, "--monitor", fixture.monitorPath,
                "--cgroup-parent", fixture.cgroupParent, "--log-root", fixture.logRoot, "--name", "long", "--name", "short",
                "--", "sleep", "600", "--", "sh", "-c", "sleep 2; exit 7",
            ]
            let output = Foundation.Pipe()
            agent.standardOutput = output
            try agent.run()
            var lines: [String] = []
            var buffer = Data()
            while !lines.contains("ready") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer += chunk
                lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
            }
            #expect(lines.contains("ready"), "agent said: \(lines)")
            func id(of name: String) throws -> String {
                let line = try #require(lines.first { $0.hasPrefix("container \(name) ") })
                return String(line.split(separator: " ")[2])
            }
            let long = try id(of: "long")
            let short = try id(of: "short")
            // The agent ran with the default run directory: its records are there, under /run.
            let agentRun = NativeRuntimeConfiguration.defaultRunDirectory(stateDirectory: agentState)
            defer { for pid in RuntimeFixture.monitors(under: agentRun) { kill(pid, SIGKILL) } }
            #expect(FileManager.default.fileExists(atPath: "\(agentRun)/containers/\(long)/container.json"))
            kill(agent.processIdentifier, SIGKILL)
            agent.waitUntilExit()
            #expect(agent.terminationReason == .uncaughtSignal)

            // While no agent runs, the short container exits with 7.
            try await Task.sleep(for: .seconds(3))

            let restarted = try await NativeRuntime.start(configuration: NativeRuntimeConfiguration(
                stateDirectory: agentState, monitorPath: fixture.monitorPath,
                cgroupMode: .v1(root: "/sys/fs/cgroup", controllers: RuntimeFixture.controllers), cgroupParent: fixture.cgroupParent,
                rootfs: fixture.store, images: fixture.store))
            let shortStatus = try await restarted.containerStatus(id: short)
            #expect(shortStatus.state == .exited)
            #expect(shortStatus.exitCode == 7)
            #expect(shortStatus.reason == ContainerStatus.reasonError)
            // Adoption keeps the writable layers of the containers it knows.
            #expect(FileManager.default.fileExists(atPath: "\(agentState)/containers/\(long)/upper"))
            let longStatus = try await restarted.containerStatus(id: long)
            #expect(longStatus.state == .running)
            #expect(kill(longStatus.pid, 0) == 0, "the adopted container's process is not alive")

            // The adopted container is fully managed: exec works and stop learns its exit.
            let exec = try await restarted.execSync(containerID: long, command: ["echo", "adopted"], timeout: 10)
            #expect(exec.stdoutText == "adopted\n")
            try await restarted.stopContainer(id: long, timeout: 0)
            let stopped = try await restarted.containerStatus(id: long)
            #expect(stopped.state == .exited && stopped.exitCode == 137)

            for sandbox in try await restarted.listPodSandboxes(filter: PodSandboxFilter()) {
                try await restarted.removePodSandbox(id: sandbox.id)
            }
            await restarted.shutdown()
            #expect(!FileManager.default.fileExists(atPath: agentRun), "the run directory outlived its last sandbox")
        }
    }
}
