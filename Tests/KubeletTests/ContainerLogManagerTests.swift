import ContainerRuntime
import ContainerRuntimeTesting
import Foundation
import Logging
import Synchronization
import Testing

@testable import Kubelet

/// A clock the test moves: each rotation is named after the time it says.
final class LogRotationClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

@Suite("Container log manager")
struct ContainerLogManagerTests {
    /// 2026-11-23 06:15:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_795_414_500)

    /// A fake runtime with one container whose log lives in a fresh directory.
    struct Fixture {
        let runtime = FakeContainerRuntime()
        let directory: String
        let clock = LogRotationClock(ContainerLogManagerTests.start)
        var sandbox = ""
        var sandboxConfig = PodSandboxConfig(metadata: PodSandboxMetadata(name: "chatty", uid: "uid1", namespace: "default"))

        init() throws {
            directory = try makeTemporaryDirectory("container-logs")
            sandboxConfig.logDirectory = directory
        }

        mutating func container(_ name: String = "app", command: [String] = ["sleep", "1000"]) async throws -> (id: String, log: String) {
            if sandbox.isEmpty { sandbox = try await runtime.runPodSandbox(sandboxConfig, runtimeHandler: "") }
            try FileManager.default.createDirectory(atPath: "\(directory)/\(name)", withIntermediateDirectories: true)
            let id = try await runtime.createContainer(
                podSandboxID: sandbox,
                config: ContainerConfig(metadata: ContainerMetadata(name: name), image: ImageSpec("busybox"), command: command, logPath: "\(name)/0.log"),
                sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: id)
            return (id, "\(directory)/\(name)/0.log")
        }

        func manager(maxSize: Int64 = 1024, maxFiles: Int = 5, maxWorkers: Int = 1) -> ContainerLogManager {
            let clock = self.clock
            return ContainerLogManager(
                runtime: runtime, policy: ContainerLogPolicy(maxSize: maxSize, maxFiles: maxFiles, maxWorkers: maxWorkers),
                timeZone: TimeZone(identifier: "UTC")!, now: { clock.now }, logger: Logger(label: "test"))
        }

        /// The names in the container's log directory, sorted.
        func files(_ name: String = "app") -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(name)")) ?? []).sorted()
        }
    }

    /// `count` CRI log lines numbered from `first`, each about 60 bytes.
    static func lines(from first: Int, count: Int) -> String {
        (first..<first + count).map { "2026-11-23T06:15:00.000000000Z stdout F line \($0) of a chatty container\n" }.joined()
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func gunzip(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "gzip -dc \(path)")
        return String(decoding: data, as: UTF8.self)
    }

    @Test func logBelowMaxSizeIsLeftAlone() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (_, log) = try await fixture.container()
        try Self.write(Self.lines(from: 0, count: 5), to: log)
        await fixture.manager(maxSize: 1024).rotateLogs()
        #expect(fixture.files() == ["0.log"])
        #expect(await !fixture.runtime.calls.contains("reopenContainerLog"))
    }

    @Test func logAtMaxSizeIsRenamedWithItsTimestampThenReopened() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (_, log) = try await fixture.container()
        let text = Self.lines(from: 0, count: 20)
        try Self.write(text, to: log)
        await fixture.manager(maxSize: 1024).rotateLogs()
        // The fake runtime does not make a new file on reopen; the native one does.
        #expect(fixture.files() == ["0.log.20261123-061500"])
        #expect(try String(contentsOfFile: log + ".20261123-061500", encoding: .utf8) == text)
        #expect(await fixture.runtime.calls.last == "reopenContainerLog")
    }

    @Test func onlyRunningContainersAreRotated() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (id, log) = try await fixture.container()
        try Self.write(Self.lines(from: 0, count: 40), to: log)
        try await fixture.runtime.stopContainer(id: id, timeout: 0)
        await fixture.manager(maxSize: 1024).rotateLogs()
        #expect(fixture.files() == ["0.log"])
    }

    @Test func olderRotatedLogsAreGzippedAndTheNewestIsNot() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (_, log) = try await fixture.container()
        let manager = fixture.manager(maxSize: 1024)
        var written: [String] = []
        for round in 0..<3 {
            let text = Self.lines(from: round * 100, count: 20)
            written.append(text)
            try Self.write(text, to: log)
            await manager.rotateLogs()
            fixture.clock.advance(seconds: 60)
        }
        #expect(fixture.files() == ["0.log.20261123-061500.gz", "0.log.20261123-061600.gz", "0.log.20261123-061700"])
        #expect(try Self.gunzip(log + ".20261123-061500.gz") == written[0])
        #expect(try Self.gunzip(log + ".20261123-061600.gz") == written[1])
        #expect(try String(contentsOfFile: log + ".20261123-061700", encoding: .utf8) == written[2])
    }

    @Test func maxFilesCountsTheCurrentLogAndRemovesTheOldest() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (_, log) = try await fixture.container()
        let manager = fixture.manager(maxSize: 1024, maxFiles: 3)
        for round in 0..<6 {
            try Self.write(Self.lines(from: round * 100, count: 20), to: log)
            await manager.rotateLogs()
            fixture.clock.advance(seconds: 1)
        }
        // What the runtime writes after the last reopen.
        try Self.write(Self.lines(from: 600, count: 1), to: log)
        #expect(fixture.files() == ["0.log", "0.log.20261123-061504.gz", "0.log.20261123-061505"])
    }

    @Test func failedReopenRenamesTheLogBack() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (id, log) = try await fixture.container()
        let text = Self.lines(from: 0, count: 20)
        try Self.write(text, to: log)
        // The fake, like the native runtime, refuses to reopen the log of a container that has stopped.
        try await fixture.runtime.stopContainer(id: id, timeout: 0)
        await #expect(throws: ContainerLogError.self) {
            try await fixture.manager(maxSize: 1024).rotateIfFull(containerID: id, log: log)
        }
        #expect(fixture.files() == ["0.log"])
        #expect(try String(contentsOfFile: log, encoding: .utf8) == text)
    }

    @Test func leftoversOfAnInterruptedCompressionAreRemovedBeforeRotating() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (_, log) = try await fixture.container()
        // A crash mid-compression of one file, and one between writing the .gz and removing the original.
        try Self.write("partial", to: log + ".20261123-060000.gz.tmp")
        try Self.write(Self.lines(from: 0, count: 1), to: log + ".20261123-060000")
        try Self.write(Self.lines(from: 1, count: 1), to: log + ".20261123-060100")
        try Data().write(to: URL(fileURLWithPath: log + ".20261123-060100.gz"))
        try Self.write(Self.lines(from: 2, count: 20), to: log)
        await fixture.manager(maxSize: 1024).rotateLogs()
        #expect(fixture.files() == ["0.log.20261123-060000.gz", "0.log.20261123-060100.gz", "0.log.20261123-061500"])
        #expect(try Self.gunzip(log + ".20261123-060000.gz") == Self.lines(from: 0, count: 1))
    }

    @Test func aSecondRotationInTheSameSecondWaitsForTheNextRound() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (_, log) = try await fixture.container()
        let manager = fixture.manager(maxSize: 1024)
        try Self.write(Self.lines(from: 0, count: 20), to: log)
        await manager.rotateLogs()
        let second = Self.lines(from: 100, count: 20)
        try Self.write(second, to: log)
        await manager.rotateLogs()
        #expect(try String(contentsOfFile: log, encoding: .utf8) == second)
        #expect(fixture.files() == ["0.log", "0.log.20261123-061500.gz"])
    }

    @Test func everyRunningContainerIsRotatedWithSeveralWorkers() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        for name in ["a", "b", "c"] {
            let (_, log) = try await fixture.container(name)
            try Self.write(Self.lines(from: 0, count: 20), to: log)
        }
        await fixture.manager(maxSize: 1024, maxWorkers: 2).rotateLogs()
        for name in ["a", "b", "c"] { #expect(fixture.files(name) == ["0.log.20261123-061500"]) }
    }

    @Test func removingAContainerRemovesItsCurrentAndRotatedLogs() async throws {
        var fixture = try Fixture()
        defer { removeDirectory(fixture.directory) }
        let (id, log) = try await fixture.container()
        let (_, otherLog) = try await fixture.container("other")
        try Self.write(Self.lines(from: 0, count: 20), to: otherLog)
        let manager = fixture.manager(maxSize: 1024)
        for round in 0..<2 {
            try Self.write(Self.lines(from: round * 100, count: 20), to: log)
            await manager.rotateLogs()
            fixture.clock.advance(seconds: 1)
        }
        try Self.write(Self.lines(from: 200, count: 1), to: log)
        #expect(fixture.files().count == 3)
        // The service subscribes to the runtime's events, then lists the containers: once it has
        // listed, it hears the removal.
        let listed = await fixture.runtime.calls.count(where: { $0 == "listContainers" })
        let running = Task { try await manager.run() }
        defer { running.cancel() }
        let subscribed = ContinuousClock.now + .seconds(20)
        while await fixture.runtime.calls.count(where: { $0 == "listContainers" }) == listed && ContinuousClock.now < subscribed {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await fixture.runtime.removeContainer(id: id)
        let deadline = ContinuousClock.now + .seconds(20)
        while !fixture.files().isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(fixture.files().isEmpty)
        #expect(fixture.files("other") == ["0.log.20261123-061500"], "another container's logs stay")
    }
}
