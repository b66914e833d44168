import CZlib
import CZstd
import Foundation

/// Compressors for building test layers (the store itself only decompresses).
enum Compression {
    static func gzip(_ input: Data) -> Data {
        var stream = z_stream()
        // 15 window bits + 16: write a gzip header and trailer.
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = Data(count: Int(deflateBound(&stream, UInt(input.count))) + 64)
        let produced = input.withUnsafeBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in
                stream.next_in = UnsafeMutablePointer(mutating: inBytes.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = outBytes.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = UInt32(outBytes.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outBytes.count - Int(stream.avail_out)
            }
        }
        return output.prefix(produced)
    }

    static func zstd(_ input: Data) -> Data {
        var output = Data(count: ZSTD_compressBound(input.count))
        let produced = input.withUnsafeBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in
                ZSTD_compress(outBytes.baseAddress, outBytes.count, inBytes.baseAddress, inBytes.count, 3)
            }
        }
        precondition(ZSTD_isError(produced) == 0)
        return output.prefix(produced)
    }
}
