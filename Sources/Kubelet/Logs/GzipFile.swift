import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Compresses a rotated log into gzip beside it.
enum GzipFile {
    /// Writes `path` gzipped to `<path>.gz.tmp`, renames that to `<path>.gz` and removes `path`,
    /// so a crash at any point leaves either the original or the complete `.gz` (and at most a
    /// temporary file that the next rotation removes).
    static func compress(_ path: String) throws(ContainerLogError) {
        let target = path + ContainerLogFiles.compressedSuffix
        let temporary = target + ContainerLogFiles.temporarySuffix
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .file(operation: "open", path: path, errno: errno) }
        defer { close(input) }
        let output = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .file(operation: "create", path: temporary, errno: errno) }
        do {
            try deflate(from: input, named: path, to: output, named: temporary)
        } catch {
            close(output)
            try? ContainerLogFiles.remove(temporary)
            throw error
        }
        guard close(output) == 0 else { throw .file(operation: "close", path: temporary, errno: errno) }
        try ContainerLogFiles.rename(temporary, target)
        try ContainerLogFiles.remove(path)
    }

    private static func deflate(from input: Int32, named inputName: String, to output: Int32, named outputName: String)
        throws(ContainerLogError)
    {
        var stream = z_stream()
        // 15 window bits + 16: a gzip header and trailer rather than zlib's.
        let initStatus = deflateInit2_(
            &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .compression(path: inputName, status: initStatus) }
        defer { deflateEnd(&stream) }
        let chunk = 64 * 1024
        var inBuffer = [UInt8](repeating: 0, count: chunk)
        var outBuffer = [UInt8](repeating: 0, count: chunk)
        var finished = false
        while !finished {
            let count = try readRetrying(input, &inBuffer, path: inputName)
            let flush = count == 0 ? Z_FINISH : Z_NO_FLUSH
            try inBuffer.withUnsafeMutableBufferPointer { inPointer throws(ContainerLogError) in
                stream.next_in = inPointer.baseAddress
                stream.avail_in = UInt32(count)
                repeat {
                    let (status, produced) = outBuffer.withUnsafeMutableBufferPointer { outPointer in
                        stream.next_out = outPointer.baseAddress
                        stream.avail_out = UInt32(chunk)
                        let status = CZlib.deflate(&stream, flush)
                        return (status, chunk - Int(stream.avail_out))
                    }
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw .compression(path: inputName, status: status)
                    }
                    try writeAll(output, outBuffer[..<produced], path: outputName)
                    if status == Z_STREAM_END { finished = true }
                } while stream.avail_out == 0 && !finished
            }
        }
    }

    private static func readRetrying(_ fd: Int32, _ buffer: inout [UInt8], path: String) throws(ContainerLogError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            if errno != EINTR { throw .file(operation: "read", path: path, errno: errno) }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, path: String) throws(ContainerLogError) {
        var rest = bytes
        while !rest.isEmpty {
            let count = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .file(operation: "write", path: path, errno: errno)
            }
            rest = rest.dropFirst(count)
        }
    }
}
