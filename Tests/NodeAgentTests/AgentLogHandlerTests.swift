import Foundation
import Logging
import Testing

@testable import NodeAgent

@Suite struct AgentLogHandlerTests {
    @Test func journalLinesCarrySyslogPriorityAndNoTimestamp() {
        let line = AgentLogHandler.format(
            level: .warning, message: "pod sync failed", metadata: ["pod": "default/web", "error": "image not found"],
            label: "swiftlet", style: .journal, timestamp: nil)
        #expect(line == "<4>[swiftlet] pod sync failed error=\"image not found\" pod=default/web")
    }

    @Test func terminalLinesStartWithTheTimestampAndLevel() {
        let line = AgentLogHandler.format(
            level: .info, message: "started", metadata: [:], label: "swiftlet", style: .terminal,
            timestamp: "2026-01-02T03:04:05.678Z")
        #expect(line == "2026-01-02T03:04:05.678Z info [swiftlet] started")
    }

    @Test func eachLevelMapsToItsSyslogPriority() {
        let priorities = [Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map(AgentLogHandler.syslogPriority)
        #expect(priorities == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func embeddedNewlinesStayOnOneJournalEntry() {
        let line = AgentLogHandler.format(
            level: .error, message: "first\nsecond", metadata: ["detail": "a\nb"], label: "x", style: .journal, timestamp: nil)
        #expect(!line.contains("\n"))
        #expect(line.contains("detail=\"a\\nb\""))
    }

    @Test func journalStyleIsChosenOnlyWhenJournalStreamNamesTheDescriptor() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("stream", "")
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        var status = stat()
        #expect(fstat(descriptor, &status) == 0)
        let matching = "\(status.st_dev):\(status.st_ino)"
        #expect(AgentLogHandler.detectStyle(environment: ["JOURNAL_STREAM": matching], descriptor: descriptor) == .journal)
        #expect(AgentLogHandler.detectStyle(environment: ["JOURNAL_STREAM": "1:1"], descriptor: descriptor) == .terminal)
        #expect(AgentLogHandler.detectStyle(environment: [:], descriptor: descriptor) == .terminal)
    }
}
