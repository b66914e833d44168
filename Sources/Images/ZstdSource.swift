import CZstd
import Foundation

/// Decompresses zstd data read from another source (all frames, until the source ends).
final class ZstdSource: ByteSource {
    private let upstream: any ByteSource
    private let name: String
    private let context: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private var inBuffer = ZSTD_inBuffer()
    private var upstreamDone = false
    private var frameOpen = false

    init(_ upstream: any ByteSource, name: String) throws(ImageError) {
        self.upstream = upstream
        self.name = name
        guard let context = ZSTD_createDCtx() else { throw .decompression(source: name, reason: "ZSTD_createDCtx failed") }
        self.context = context
        input = .allocate(byteCount: Int(ZSTD_DStreamInSize()), alignment: 1)
    }

    deinit {
        ZSTD_freeDCtx(context)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        guard buffer.count > 0 else { return 0 }
        var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        while output.pos == 0 {
            if inBuffer.pos == inBuffer.size {
                if upstreamDone {
                    if frameOpen { throw .decompression(source: name, reason: "the zstd stream ends inside a frame") }
                    return 0
                }
                let count = try upstream.read(into: input)
                if count == 0 {
                    upstreamDone = true
                    continue
                }
                inBuffer = ZSTD_inBuffer(src: UnsafeRawPointer(input.baseAddress), size: count, pos: 0)
            }
            let result = ZSTD_decompressStream(context, &output, &inBuffer)
            if ZSTD_isError(result) != 0 {
                throw .decompression(source: name, reason: String(cString: ZSTD_getErrorName(result)))
            }
            frameOpen = result != 0
        }
        return output.pos
    }
}
