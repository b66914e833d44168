import ContainerRuntime
import Foundation
import Testing

@testable import NodeAgent

@Suite("Log text from CRI log files")
struct LogTextTests {
    static func line(_ text: String, _ channel: OutputChannel = .stdout, partial: Bool = false) -> [UInt8] {
        CRILogLine(timestamp: 1_700_000_000_000_000_000, channel: channel, isPartial: partial, content: Array(text.utf8)).encoded
    }

    @Test func linesComeOutAsMessageTextWithPartsJoinedAndUnfinishedLinesHeldBack() {
        let file = Self.line("out") + Self.line("err", .stderr) + Self.line("long ", partial: true) + Self.line("line")
        var text = LogText(remaining: nil)
        // The last line's newline has not been written yet.
        let first = text.take(Data(file.dropLast()))
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == ["out\n", "err\n"])
        let rest = text.take(Data([0x0A]))
        #expect(rest.map { String(decoding: $0, as: UTF8.self) } == ["long line\n"])
    }

    @Test func limitBytesAllowsThatManyBytesAndThenNone() {
        var text = LogText(remaining: 5)
        #expect(text.allow(Array("abc\n".utf8)) == Array("abc\n".utf8))
        #expect(!text.isExhausted)
        #expect(text.allow(Array("def\n".utf8)) == Array("d".utf8))
        #expect(text.isExhausted)
        #expect(text.allow(Array("more\n".utf8)).isEmpty)
        var unlimited = LogText(remaining: nil)
        #expect(unlimited.allow(Array(repeating: 0x61, count: 100_000)).count == 100_000)
        #expect(!unlimited.isExhausted)
    }
}
