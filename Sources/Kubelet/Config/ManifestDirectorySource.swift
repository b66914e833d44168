import Foundation
import KubeAPI
import Logging

/// The manifest directory (`staticPodPath`): every YAML or JSON file in it (not hidden, not in a
/// subdirectory), several documents a file. Changes arrive through inotify at once; a full rescan
/// every `checkFrequency` catches anything inotify missed (upstream's `fileCheckFrequency`).
///
/// A file whose syntax is broken keeps its last good pods running and is reported; a bad document
/// is reported and the file's other documents are used.
public struct ManifestDirectorySource: PodSource {
    public let name = "file"
    /// The directory, or a single manifest file.
    public var path: String
    public var nodeName: String
    public var checkFrequency: Duration
    private let logger: Logger

    public init(path: String, nodeName: String, checkFrequency: Duration = .seconds(20), logger: Logger = Logger(label: "swiftlet.kubelet.file")) {
        self.path = path
        self.nodeName = nodeName
        self.checkFrequency = checkFrequency
        self.logger = logger
    }

    public func run(deliver: @escaping @Sendable (PodSourceSnapshot) async -> Void) async throws {
        let (triggers, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let watchedDirectory = exists && !isDirectory.boolValue ? (path as NSString).deletingLastPathComponent : path
        var watcher: DirectoryWatcher? = nil
        var warned = false
        // A directory that does not exist yet is watched once it appears (checked at each rescan).
        func watch() {
            guard watcher == nil else { return }
            do {
                watcher = try DirectoryWatcher(path: watchedDirectory) { continuation.yield() }
            } catch {
                if !warned {
                    logger.warning("cannot watch the manifest directory yet, rescanning every \(checkFrequency)", metadata: ["error": "\(error)"])
                    warned = true
                }
            }
        }
        watch()
        defer { watcher?.stop() }
        let frequency = checkFrequency
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: frequency)
                continuation.yield()
            }
        }
        defer { ticker.cancel() }
        var scanner = ManifestDirectoryScanner(path: path, reader: ManifestReader(nodeName: nodeName))
        var last: PodSourceSnapshot? = nil
        var reported: Set<ManifestIssue> = []
        continuation.yield()
        for await _ in triggers {
            if Task.isCancelled { break }
            watch()
            let snapshot = scanner.scan()
            for issue in snapshot.issues where !reported.contains(issue) {
                logger.error("bad manifest, ignored", metadata: ["file": "\(issue.location)", "problem": "\(issue.message)"])
            }
            reported = Set(snapshot.issues)
            if let last, last.pods == snapshot.pods, last.issues == snapshot.issues, last.configMaps == snapshot.configMaps,
                last.secrets == snapshot.secrets, last.services == snapshot.services
            {
                continue
            }
            last = snapshot
            await deliver(snapshot)
        }
    }
}

/// The directory scan behind `ManifestDirectorySource`: re-reads only the files whose inode,
/// size or modification time changed since the last scan.
struct ManifestDirectoryScanner {
    private struct FileStamp: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Int64
    }

    private struct CachedFile {
        var stamp: FileStamp
        var contents: ManifestReader.Contents
        /// What the file held when it last parsed: kept when it becomes unreadable.
        var lastGood: ManifestReader.Contents
    }

    let path: String
    let reader: ManifestReader
    private var cache: [String: CachedFile] = [:]

    init(path: String, reader: ManifestReader) {
        self.path = path
        self.reader = reader
    }

    mutating func scan() -> PodSourceSnapshot {
        var snapshot = PodSourceSnapshot(source: "file", pods: [])
        var seen: Set<String> = []
        for file in files() {
            guard let stamp = Self.stamp(of: file) else { continue }
            seen.insert(file)
            var entry: CachedFile
            if let cached = cache[file], cached.stamp == stamp {
                entry = cached
            } else {
                let bytes = (FileManager.default.contents(atPath: file)).map { [UInt8]($0) } ?? []
                let contents = reader.read(bytes, location: file, isFile: true)
                let lastGood = contents.unreadable ? (cache[file]?.lastGood ?? ManifestReader.Contents()) : contents
                entry = CachedFile(stamp: stamp, contents: contents, lastGood: lastGood)
                cache[file] = entry
            }
            let usable = entry.contents.unreadable ? entry.lastGood : entry.contents
            snapshot.pods += usable.pods
            snapshot.configMaps += usable.configMaps
            snapshot.secrets += usable.secrets
            snapshot.services += usable.services
            snapshot.issues += entry.contents.issues
        }
        for file in cache.keys where !seen.contains(file) { cache[file] = nil }
        return snapshot
    }

    private func files() -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }

    private static func stamp(of file: String) -> FileStamp? {
        var info = stat()
        guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileStamp(
            inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}
