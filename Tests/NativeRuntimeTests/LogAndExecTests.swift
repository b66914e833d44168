// Container output reaches the log file as exact CRI lines, exec runs inside the container, and
// stop honours the signal and the timeout.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("Native runtime logs, exec and stop", .kernelRuntime, .serialized)
struct LogAndExecTests {
    @Test func outputIsLoggedAsExactCRILines() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer(
                "lines", ["sh", "-c", "echo one; echo two >&2; echo; echo 'tab\there'; printf 'no newline'"])
            _ = try await fixture.waitUntilExited(id)
            let lines = try fixture.logLines(sandboxConfig, "lines")
            let stdout = lines.filter { $0.channel == .stdout }.map { "\($0.isPartial ? "P" : "F") \($0.text)" }
            let stderr = lines.filter { $0.channel == .stderr }.map { "\($0.isPartial ? "P" : "F") \($0.text)" }
            #expect(stdout == ["F one", "F ", "F tab\there", "F no newline"])
            #expect(stderr == ["F two"])
            let raw = try String(contentsOfFile: "\(sandboxConfig.logDirectory)/lines/0.log", encoding: .utf8)
            let first = try #require(raw.split(separator: "\n").first)
            #expect(first.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F one/) != nil, "\(first)")
        }
    }

    @Test func linesLongerThanSixteenKiBAreSplitIntoPartialPieces() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer(
                "long", ["sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a; echo; echo short"])
            _ = try await fixture.waitUntilExited(id)
            let lines = try fixture.logLines(sandboxConfig, "long")
            #expect(lines.map(\.isPartial) == [true, true, false, false])
            #expect(lines.map(\.content.count) == [16384, 16384, 40000 - 32768, 5])
            #expect(lines.dropLast().allSatisfy { $0.content.allSatisfy { $0 == UInt8(ascii: "a") } })
        }
    }

    @Test func logIsRotatedBySizeKeepingTheConfiguredCount() async throws {
        try await RuntimeFixture.with { fixture in
            // A runtime of the same state with a small rotation size.
            let configuration = NativeRuntimeConfiguration(
                stateDirectory: fixture.stateDirectory + "-rotating", monitorPath: fixture.monitorPath,
                cgroupMode: .v1(root: "/sys/fs/cgroup", controllers: RuntimeFixture.controllers), cgroupParent: fixture.cgroupParent,
                logMaxSizeBytes: 4096, logMaxFiles: 2, rootfs: fixture.store, images: fixture.store)
            let runtime = try await NativeRuntime.start(configuration: configuration)
            let sandboxConfig = fixture.sandboxConfig("rotate")
            let sandboxID = try await runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            let id = try await runtime.createContainer(
                podSandboxID: sandboxID,
                config: fixture.containerConfig("rotate", ["sh", "-c", "for i in $(seq 1 200); do echo line-$i-of-the-log; sleep 0.01; done"]),
                sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: id)
            let events = await runtime.containerEvents()
            for await event in events where event.containerID == id && event.kind == .stopped { break }
            let directory = "\(sandboxConfig.logDirectory)/rotate"
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(files.count <= 2 && files.contains("0.log"), "\(files)")
            #expect(files.contains { $0.hasPrefix("0.log.") }, "\(files)")
            let current = CRILogLine.parseAll(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/0.log"))))
            #expect(current.last?.text == "line-200-of-the-log")
            try await runtime.removePodSandbox(id: sandboxID)
            await runtime.shutdown()
            try? FileManager.default.removeItem(atPath: fixture.stateDirectory + "-rotating")
        }
    }

    /// The container writes its second line only when the test says so (a file it creates by exec
    /// after the reopen), so the outcome does not depend on how fast a busy machine is.
    @Test func reopenStartsANewLogFileAfterTheOldOneWasRenamed() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer(
                "reopen", ["sh", "-c", "echo before; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo after; sleep 600"])
            let path = "\(sandboxConfig.logDirectory)/reopen/0.log"
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while ((try? fixture.logLines(sandboxConfig, "reopen")) ?? []).isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try FileManager.default.moveItem(atPath: path, toPath: path + ".rotated")
            try await fixture.runtime.reopenContainerLog(id: id)
            let touched = try await fixture.runtime.execSync(containerID: id, command: ["touch", "/tmp/go"], timeout: 10)
            #expect(touched.exitCode == 0)
            while ((try? fixture.logLines(sandboxConfig, "reopen")) ?? []).isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let old = CRILogLine.parseAll(Array(try Data(contentsOf: URL(fileURLWithPath: path + ".rotated")))).map(\.text)
            let new = try fixture.logLines(sandboxConfig, "reopen").map(\.text)
            #expect(old == ["before"])
            #expect(new == ["after"])
        }
    }

    @Test func execSyncRunsAsTheContainersUserInItsNamespaces() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("exec", ["sleep", "600"], hostname: "exec-host") {
                $0.linux.securityContext.runAsUser = 1000
                $0.envs = [KeyValue("GREETING", "hi")]
                $0.workingDir = "/tmp"
            }
            let result = try await fixture.runtime.execSync(
                containerID: id, command: ["sh", "-c", "echo $(id -u) $(hostname) $GREETING $(pwd); echo oops >&2; exit 4"], timeout: 10)
            #expect(result.stdoutText == "1000 exec-host hi /tmp\n")
            #expect(result.stderrText == "oops\n")
            #expect(result.exitCode == 4)
        }
    }

    @Test func execSyncPastItsTimeoutIsKilledAndReported() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("slow", ["sleep", "600"])
            let clock = ContinuousClock()
            let started = clock.now
            await #expect(throws: RuntimeError.self) {
                _ = try await fixture.runtime.execSync(containerID: id, command: ["sleep", "30"], timeout: 1)
            }
            #expect(clock.now - started < .seconds(5))
            // The timed-out command is gone (a zombie under PID 1 at most, whose command line is empty).
            let left = try await fixture.runtime.execSync(containerID: id, command: ["sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"], timeout: 10)
            #expect(left.stdoutText.contains("sleep 600"))
            #expect(!left.stdoutText.contains("sleep 30"), "\(left.stdoutText)")
        }
    }

    @Test func streamingExecPassesStdinAndOutput() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("stream", ["sleep", "600"])
            let stream = try await fixture.runtime.exec(ExecRequest(containerID: id, command: ["sh", "-c", "cat; echo done >&2"], stdin: true))
            try await stream.write(stdin: Array("hello stream\n".utf8))
            await stream.closeStdin()
            var stdout: [UInt8] = [], stderr: [UInt8] = []
            for await chunk in stream.output {
                if chunk.channel == .stdout { stdout += chunk.bytes } else { stderr += chunk.bytes }
            }
            #expect(String(decoding: stdout, as: UTF8.self) == "hello stream\n")
            #expect(String(decoding: stderr, as: UTF8.self) == "done\n")
            #expect(try await stream.waitForExit() == 0)
        }
    }

    @Test func execWithATerminalHasAControllingTTYAndTakesItsSize() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("tty", ["sleep", "600"])
            let stream = try await fixture.runtime.exec(ExecRequest(containerID: id, command: ["sh"], tty: true, stdin: true, stderr: false))
            try await stream.resize(TerminalSize(width: 123, height: 45))
            try await stream.write(stdin: Array("tty | grep -q ^/dev/pts/ && echo is-a-tty; stty size; exit 3\n".utf8))
            var output: [UInt8] = []
            for await chunk in stream.output { output += chunk.bytes }
            let text = String(decoding: output, as: UTF8.self)
            // Lines as the terminal sends them (\r\n), apart from the echo of the input.
            let lines = text.components(separatedBy: "\r\n")
            #expect(lines.contains("is-a-tty"), "\(text)")
            #expect(lines.contains("45 123"), "\(text)")
            #expect(try await stream.waitForExit() == 3)
        }
    }

    @Test func attachSeesOutputAndFeedsStdinOfTheMainProcess() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer(
                "attach", ["sh", "-c", "echo ready; read line; echo got $line; echo bye >&2; exit 5"]
            ) {
                $0.stdin = true
                $0.stdinOnce = true
            }
            let stream = try await fixture.runtime.attach(AttachRequest(containerID: id, stdin: true))
            try await stream.write(stdin: Array("hello\n".utf8))
            await stream.closeStdin()
            var stdout = "", stderr = ""
            for await chunk in stream.output {
                if chunk.channel == .stdout { stdout += String(decoding: chunk.bytes, as: UTF8.self) } else {
                    stderr += String(decoding: chunk.bytes, as: UTF8.self)
                }
            }
            // "ready" may have been written before the attach; what follows it must arrive.
            #expect(stdout.hasSuffix("got hello\n"), "\(stdout)")
            #expect(stderr == "bye\n")
            #expect(try await stream.waitForExit() == 5)
            #expect(try fixture.logLines(sandboxConfig, "attach").map(\.text) == ["ready", "got hello", "bye"])
        }
    }

    @Test func containerWithATerminalIsAttachedAndResized() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer("console", ["sh"]) {
                $0.tty = true
                $0.stdin = true
            }
            let stream = try await fixture.runtime.attach(AttachRequest(containerID: id, tty: true, stdin: true, stderr: false))
            try await stream.resize(TerminalSize(width: 100, height: 30))
            try await stream.write(stdin: Array("tty | grep -q ^/dev/pts/ && echo on-a-tty; stty size; exit 6\n".utf8))
            var output: [UInt8] = []
            for await chunk in stream.output { output += chunk.bytes }
            let text = String(decoding: output, as: UTF8.self)
            let lines = text.components(separatedBy: "\r\n")
            #expect(lines.contains("on-a-tty"), "\(text)")
            #expect(lines.contains("30 100"), "\(text)")
            #expect(try await stream.waitForExit() == 6)
            let logged = try fixture.logLines(sandboxConfig, "console").map(\.text)
            #expect(logged.contains("on-a-tty\r"), "\(logged)")
        }
    }

    @Test func stopWaitsForTheTimeoutThenKillsAContainerIgnoringSIGTERM() async throws {
        try await RuntimeFixture.with { fixture in
            // PID 1 without a SIGTERM handler ignores SIGTERM, as in any PID namespace.
            let (_, id, _) = try await fixture.runContainer("stubborn", ["sleep", "600"])
            let clock = ContinuousClock()
            let started = clock.now
            try await fixture.runtime.stopContainer(id: id, timeout: 2)
            let elapsed = clock.now - started
            #expect(elapsed >= .seconds(2) && elapsed < .seconds(6), "\(elapsed)")
            let status = try await fixture.runtime.containerStatus(id: id)
            #expect(status.state == .exited && status.exitCode == 137)
        }
    }

    @Test func stopUsesTheConfiguredSignalAndReturnsAsSoonAsTheContainerExits() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer(
                "graceful", ["sh", "-c", "trap 'exit 42' USR1; while true; do sleep 0.1; done"]) { $0.stopSignal = "SIGUSR1" }
            try await Task.sleep(for: .milliseconds(200))
            let clock = ContinuousClock()
            let started = clock.now
            try await fixture.runtime.stopContainer(id: id, timeout: 20)
            #expect(clock.now - started < .seconds(5))
            let status = try await fixture.runtime.containerStatus(id: id)
            #expect(status.exitCode == 42)
            #expect(status.reason == ContainerStatus.reasonError)
        }
    }

    @Test func commandNotFoundFailsStartWithTheStepAndErrno() async throws {
        try await RuntimeFixture.with { fixture in
            let sandboxConfig = fixture.sandboxConfig("missing")
            let sandboxID = try await fixture.runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            let id = try await fixture.runtime.createContainer(
                podSandboxID: sandboxID, config: fixture.containerConfig("missing", ["no-such-command"]), sandboxConfig: sandboxConfig)
            do {
                try await fixture.runtime.startContainer(id: id)
                Issue.record("starting a container whose command does not exist succeeded")
            } catch let error as RuntimeError {
                #expect(error.description.contains("look up executable"), "\(error)")
                #expect(error.description.contains("No such file or directory"), "\(error)")
            }
            let status = try await fixture.waitUntilExited(id)
            #expect(status.reason == "StartError")
        }
    }
}
