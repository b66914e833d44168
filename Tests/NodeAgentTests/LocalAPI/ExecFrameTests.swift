import Testing

@testable import NodeAgent

@Suite("Exec stream frames")
struct ExecFrameTests {
    @Test func framesEncodeAsKindBigEndianLengthAndPayload() {
        #expect(ExecFrame.stdout(Array("hi".utf8)).encoded == [1, 0, 0, 0, 2, 0x68, 0x69])
        #expect(ExecFrame.exit(3).encoded == [4, 0, 0, 0, 4, 0, 0, 0, 3])
        #expect(ExecFrame.exit(-1).encoded == [4, 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(ExecFrame.resize(width: 300, height: 40).encoded == [3, 0, 0, 0, 4, 0x01, 0x2C, 0, 40])
        #expect(ExecFrame.stdinClosed.encoded == [5, 0, 0, 0, 0])
    }

    @Test func everyFrameReadsBackFromAStreamSplitAtAnyByte() throws {
        let frames: [ExecFrame] = [
            .stdin(Array("input".utf8)), .stdout([]), .stderr([0, 1, 2]), .resize(width: 80, height: 24), .stdinClosed,
            .error("no such container"), .exit(137),
        ]
        let wire = frames.flatMap(\.encoded)
        for split in 0...wire.count {
            var buffer = Array(wire[..<split])
            var read: [ExecFrame] = []
            while let frame = try ExecFrame.take(from: &buffer) { read.append(frame) }
            buffer += wire[split...]
            while let frame = try ExecFrame.take(from: &buffer) { read.append(frame) }
            #expect(read == frames, "split at \(split)")
            #expect(buffer.isEmpty)
        }
    }

    @Test func unknownKindsOversizedLengthsAndShortResizePayloadsAreErrors() {
        var unknown: [UInt8] = [9, 0, 0, 0, 0]
        #expect(throws: ExecFrameError.unknownKind(9)) { try ExecFrame.take(from: &unknown) }
        var oversized: [UInt8] = [1, 0x01, 0, 0, 1]
        #expect(throws: ExecFrameError.oversized(0x0100_0001)) { try ExecFrame.take(from: &oversized) }
        var shortResize: [UInt8] = [3, 0, 0, 0, 2, 0, 80]
        #expect(throws: ExecFrameError.malformed(kind: 3, length: 2)) { try ExecFrame.take(from: &shortResize) }
    }
}
