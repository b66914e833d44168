import Crypto
import Foundation

/// Content-addressed blobs under `<root>/blobs/sha256/<hex>`.
///
/// A blob becomes visible only complete and verified: bytes go to a private file under
/// `<root>/ingest/`, are hashed as they are written, and are renamed into place only when digest
/// and size match. A mismatch deletes the partial file and throws, so nothing half-written or
/// corrupt is ever found under `blobs/`.
public struct ContentStore: Sendable {
    /// The store's root directory.
    public let root: String

    /// A store under `root`; creates `blobs/sha256` and `ingest` if missing.
    public init(root: String) throws(ImageError) {
        self.root = root
        try Syscall.makeDirectories(root + "/blobs/sha256")
        try Syscall.makeDirectories(root + "/ingest")
    }

    /// Where the blob with `digest` lives (whether or not it is there).
    public func path(for digest: Digest) -> String { "\(root)/blobs/sha256/\(digest.hex)" }

    /// Whether the blob is present.
    public func contains(_ digest: Digest) -> Bool { (try? Syscall.lstat(path(for: digest))) != nil }

    /// The blob's size on disk, or `nil` if absent.
    public func size(of digest: Digest) -> Int64? {
        guard let info = try? Syscall.lstat(path(for: digest)) else { return nil }
        return Int64(info.st_size)
    }

    /// The whole blob. Meant for small documents (manifests, configs).
    public func data(for digest: Digest) throws(ImageError) -> Data {
        let path = path(for: digest)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .system(call: "read", path: path, errno: errno == 0 ? ENOENT : errno)
        }
        return data
    }

    /// Stores `data`, checking it against `expected` (and `expectedSize`) when given; returns its digest.
    @discardableResult
    public func write(_ data: Data, expected: Digest? = nil, expectedSize: Int64? = nil, source: String) throws(ImageError) -> Digest {
        let digest = expected ?? Digest(of: data)
        let writer = try BlobWriter(store: self, expected: digest, expectedSize: expectedSize, source: source)
        try writer.write(data)
        try writer.commit()
        return digest
    }

    /// Copies the file at `path` into the store, verifying it against `expected` when given.
    @discardableResult
    public func importFile(at path: String, expected: Digest?, expectedSize: Int64? = nil, source: String) throws(ImageError) -> Digest {
        let file = try FileSource(path: path)
        let hashing = HashingSource(file)
        if let expected, contains(expected) {
            // Already present: still check that the caller's file is what it claims to be.
            try hashing.drain()
            guard hashing.digest == expected else {
                throw .digestMismatch(expected: expected, actual: hashing.digest, source: source)
            }
            return expected
        }
        let writer = try BlobWriter(store: self, expected: expected, expectedSize: expectedSize, source: source)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        do {
            while true {
                let count = try file.read(into: chunk)
                if count == 0 { break }
                try writer.write(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            }
        } catch {
            writer.abort()
            throw error
        }
        return try writer.commit()
    }

    /// Deletes the blob; absent blobs are not an error.
    public func delete(_ digest: Digest) throws(ImageError) {
        try Syscall.check("unlink", path(for: digest), tolerating: [ENOENT]) { unlink(path(for: digest)) }
    }

    /// Every blob present.
    public func allDigests() throws(ImageError) -> [Digest] {
        try Syscall.directoryEntries(root + "/blobs/sha256").compactMap { try? Digest(parsing: "sha256:" + $0) }
    }

    /// Removes leftovers of interrupted writes: entries of `ingest/` last modified before `cutoff`.
    public func removeIngestLeftovers(modifiedBefore cutoff: Date) throws(ImageError) {
        for name in try Syscall.directoryEntries(root + "/ingest") {
            let path = root + "/ingest/" + name
            if let info = try Syscall.lstat(path), Double(info.st_mtim.tv_sec) < cutoff.timeIntervalSince1970 {
                try Syscall.removeTree(path)
            }
        }
    }
}

/// Writes one blob: hashes bytes as they arrive and publishes the blob on ``commit()`` only if it
/// matches. Used by one task at a time.
public final class BlobWriter {
    private let store: ContentStore
    private let expected: Digest?
    private let expectedSize: Int64?
    private let source: String
    private let temporaryPath: String
    private var fd: Int32
    private var hasTemporaryFile = false
    private var hasher = SHA256()
    /// Bytes written so far.
    public private(set) var byteCount: Int64 = 0

    /// Starts a blob. With `expected` nil the blob is stored under whatever digest its bytes have.
    public init(store: ContentStore, expected: Digest?, expectedSize: Int64?, source: String) throws(ImageError) {
        self.store = store
        self.expected = expected
        self.expectedSize = expectedSize
        self.source = source
        let temporaryPath = "\(store.root)/ingest/\(expected?.hex ?? "unknown")-\(UInt64.random(in: 0...UInt64.max))"
        self.temporaryPath = temporaryPath
        fd = try Syscall.check("open", temporaryPath) {
            open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        hasTemporaryFile = true
    }

    deinit { abort() }

    /// Appends bytes; throws if more arrive than the descriptor announced.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ImageError) {
        byteCount += Int64(bytes.count)
        if let expectedSize, let expected, byteCount > expectedSize {
            abort()
            throw .sizeMismatch(digest: expected, expected: expectedSize, actual: byteCount, source: source)
        }
        hasher.update(bufferPointer: bytes)
        do { try Syscall.writeAll(fd, bytes, path: temporaryPath) } catch {
            abort()
            throw error
        }
    }

    /// Appends bytes.
    public func write(_ data: Data) throws(ImageError) {
        let result: Result<Void, ImageError> = data.withUnsafeBytes { buffer in
            Result { () throws(ImageError) in try write(buffer) }
        }
        try result.get()
    }

    /// Verifies and publishes the blob; on a mismatch the partial file is removed and the error thrown.
    @discardableResult
    public func commit() throws(ImageError) -> Digest {
        guard fd >= 0, hasTemporaryFile else { throw .system(call: "commit", path: temporaryPath, errno: EBADF) }
        let actual = Digest(finalizing: hasher)
        if let expected, actual != expected {
            abort()
            throw .digestMismatch(expected: expected, actual: actual, source: source)
        }
        if let expectedSize, byteCount != expectedSize {
            abort()
            throw .sizeMismatch(digest: actual, expected: expectedSize, actual: byteCount, source: source)
        }
        do {
            try Syscall.check("fsync", temporaryPath) { fsync(fd) }
            close(fd)
            fd = -1
            let final = store.path(for: actual)
            try Syscall.check("rename", final) { rename(temporaryPath, final) }
            hasTemporaryFile = false
        } catch {
            abort()
            throw error
        }
        return actual
    }

    /// Drops the partial blob. Safe to call more than once.
    public func abort() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if hasTemporaryFile {
            unlink(temporaryPath)
            hasTemporaryFile = false
        }
    }
}
