import ContainerRuntime
import Testing

@Suite("CRI log lines")
struct CRILogLineTests {
    @Test func kubernetesDocumentedExampleParsesToItsFields() throws {
        let line = try #require(CRILogLine.parse(Array("2016-10-06T00:17:09.669794202Z stdout F text".utf8)))
        #expect(line.channel == .stdout)
        #expect(!line.isPartial)
        #expect(line.text == "text")
        #expect(line.timestamp == 1_475_713_029_669_794_202)
    }

    @Test func encodingReproducesTheDocumentedBytes() {
        let line = CRILogLine(timestamp: 1_475_713_029_669_794_202, channel: .stderr, isPartial: true, content: Array("a b".utf8))
        #expect(String(decoding: line.encoded, as: UTF8.self) == "2016-10-06T00:17:09.669794202Z stderr P a b\n")
    }

    @Test func shortFractionsAndEmptyContentParse() throws {
        let line = try #require(CRILogLine.parse(Array("2024-02-29T23:59:59.5Z stderr F ".utf8)))
        #expect(line.timestamp == 1_709_251_199_500_000_000)
        #expect(line.content.isEmpty)
    }

    @Test func malformedLinesAreRejected() {
        #expect(CRILogLine.parse(Array("2016-10-06 stdout F text".utf8)) == nil)
        #expect(CRILogLine.parse(Array("2016-10-06T00:17:09Z stdio F text".utf8)) == nil)
        #expect(CRILogLine.parse(Array("2016-10-06T00:17:09Z stdout X text".utf8)) == nil)
    }
}
