import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The files of one container log on disk: the current file `<log>` and the rotated ones
/// `<log>.<timestamp>`, gzipped as `<log>.<timestamp>.gz` (written first as `….gz.tmp`).
/// The timestamp (`20060102-150405` in Go's notation) sorts in time order, so the names do too.
enum ContainerLogFiles {
    static let compressedSuffix = ".gz"
    static let temporarySuffix = ".tmp"

    /// The rotated name of `log` at `date`: `<log>.YYYYMMDD-hhmmss` in `timeZone`.
    static func rotatedName(_ log: String, at date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let text = String(value ?? 0)
            return text.count < 2 ? "0" + text : text
        }
        return "\(log).\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))"
    }

    /// The other files of `log` (`<log>.*`), sorted by name (oldest first). A missing
    /// directory has none.
    static func rotated(of log: String) -> [String] {
        let url = URL(fileURLWithPath: log)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().map { directory + "/" + $0 }
    }

    /// Whether a file of a log's set is still wanted: temporary files are what a compression cut
    /// short left, and an uncompressed file whose `.gz` exists was compressed but not yet removed.
    static func isInUse(_ file: String, among files: Set<String>) -> Bool {
        if file.hasSuffix(temporarySuffix) { return false }
        if file.hasSuffix(compressedSuffix) { return true }
        return !files.contains(file + compressedSuffix)
    }

    /// Removes what a crash in the middle of a rotation left (see `isInUse`); returns the rest.
    static func removeUnfinished(_ files: [String]) throws(ContainerLogError) -> [String] {
        let all = Set(files)
        var kept: [String] = []
        for file in files {
            if isInUse(file, among: all) { kept.append(file) } else { try remove(file) }
        }
        return kept
    }

    /// Removes the oldest rotated files so that, with the current log and the one about to be
    /// rotated, at most `maxFiles` remain; returns the rest.
    static func removeExcess(_ files: [String], maxFiles: Int) throws(ContainerLogError) -> [String] {
        let keep = max(0, maxFiles - 2)
        let excess = max(0, files.count - keep)
        // Oldest first, so a reader following an older file loses the least.
        for file in files.prefix(excess) { try remove(file) }
        return Array(files.dropFirst(excess))
    }

    /// The size of `path`, nil when it does not exist.
    static func size(_ path: String) throws(ContainerLogError) -> Int64? {
        var info = stat()
        if stat(path, &info) == 0 { return Int64(info.st_size) }
        if errno == ENOENT { return nil }
        throw .file(operation: "stat", path: path, errno: errno)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func rename(_ from: String, _ to: String) throws(ContainerLogError) {
        guard Glibc.rename(from, to) == 0 else { throw .file(operation: "rename to \(to)", path: from, errno: errno) }
    }

    /// Removes `path`; one already gone is fine.
    static func remove(_ path: String) throws(ContainerLogError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .file(operation: "remove", path: path, errno: errno) }
    }
}
