import Crypto
import Foundation

/// A pull-style stream of bytes: a file, a decompressor over another source, a hashing tee. The
/// layer pipeline is `FileSource → (gzip|zstd) → HashingSource → TarReader → LayerUnpacker`, all
/// synchronous on one blocking thread, so a layer is never held in memory whole.
protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int
}

extension ByteSource {
    /// Fills `buffer` completely; returns fewer bytes only at the end of the stream.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Reads up to `count` bytes into a new array; fewer only at the end of the stream.
    func readBytes(_ count: Int) throws(ImageError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        let filled = try readFully(into: buffer)
        return Array(buffer[..<filled])
    }

    /// Reads and discards everything up to the end of the stream (so that a hash covers it all).
    func drain() throws(ImageError) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { scratch.deallocate() }
        while try read(into: scratch) > 0 {}
    }
}

/// Bytes read from an open file descriptor, which it owns and closes.
final class FileSource: ByteSource {
    private let fd: Int32
    private let path: String

    init(path: String) throws(ImageError) {
        self.path = path
        fd = try Syscall.check("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        try Syscall.check("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }
}

/// Bytes from memory.
final class DataSource: ByteSource {
    private let data: Data
    private var offset = 0

    init(_ data: Data) { self.data = data }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        let count = min(buffer.count, data.count - offset)
        guard count > 0 else { return 0 }
        data.withUnsafeBytes { bytes in
            buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// Passes bytes through while computing their SHA-256 and counting them.
final class HashingSource: ByteSource {
    private let upstream: any ByteSource
    private var hasher = SHA256()
    private(set) var byteCount: Int64 = 0

    init(_ upstream: any ByteSource) { self.upstream = upstream }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        let count = try upstream.read(into: buffer)
        if count > 0 {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            byteCount += Int64(count)
        }
        return count
    }

    /// The digest of everything read so far.
    var digest: Digest { Digest(finalizing: hasher) }
}

/// A source that first returns some already-read bytes, then the rest of another source (used
/// after sniffing a blob's first bytes for its compression).
final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private let upstream: any ByteSource

    init(prefix: [UInt8], upstream: any ByteSource) {
        self.prefix = prefix
        self.upstream = upstream
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        if prefix.isEmpty { return try upstream.read(into: buffer) }
        let count = min(prefix.count, buffer.count)
        prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        prefix.removeFirst(count)
        return count
    }
}

extension LayerCompression {
    /// Wraps `source` in the decompressor for this compression.
    func decompressing(_ source: any ByteSource, name: String) throws(ImageError) -> any ByteSource {
        switch self {
        case .uncompressed: source
        case .gzip: try GzipSource(source, name: name)
        case .zstd: try ZstdSource(source, name: name)
        }
    }

    /// Sniffs the compression from the first bytes of `source` and returns a decompressing source.
    static func autodetect(_ source: any ByteSource, name: String) throws(ImageError) -> any ByteSource {
        let prefix = try source.readBytes(4)
        return try sniff(prefix).decompressing(PrefixedSource(prefix: prefix, upstream: source), name: name)
    }
}
