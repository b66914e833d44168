import CZlib
import Foundation

/// Decompresses gzip (and zlib) data read from another source, across concatenated gzip members.
final class GzipSource: ByteSource {
    private let upstream: any ByteSource
    private let name: String
    private var stream = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamDone = false
    private var finished = false

    init(_ upstream: any ByteSource, name: String) throws(ImageError) {
        self.upstream = upstream
        self.name = name
        input = .allocate(byteCount: 128 * 1024, alignment: 1)
        // 15 window bits + 32: detect gzip or zlib headers automatically.
        let status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            throw .decompression(source: name, reason: "inflateInit2 returned \(status)")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(buffer.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !upstreamDone {
                let count = try upstream.read(into: input)
                if count == 0 {
                    upstreamDone = true
                } else {
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(count)
                }
            }
            if stream.avail_in == 0 && upstreamDone {
                let produced = buffer.count - Int(stream.avail_out)
                if produced > 0 { return produced }
                throw .decompression(source: name, reason: "the gzip stream ends early")
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another gzip member may follow; anything else after the end is ignored as
                // padding only if it is zeros, as GNU gzip does.
                if stream.avail_in == 0 && !upstreamDone {
                    let count = try upstream.read(into: input)
                    if count == 0 {
                        upstreamDone = true
                    } else {
                        stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.avail_in = UInt32(count)
                    }
                }
                if stream.avail_in > 0, stream.next_in.pointee == 0x1f {
                    inflateReset(&stream)
                    continue
                }
                finished = true
                return buffer.count - Int(stream.avail_out)
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw .decompression(source: name, reason: message)
            }
        }
        return buffer.count
    }
}
