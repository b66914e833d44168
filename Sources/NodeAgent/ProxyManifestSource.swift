import Foundation
import KubeAPI
import Logging
import ServiceProxy

/// The standalone source of Services and EndpointSlices for `swiftlet proxy run --manifests
/// DIR`: every `.yaml`, `.yml` and `.json` file of a directory, read again on request
/// (SIGHUP or `configSyncPeriod`). Each read is compared with the last and only the Services
/// and slices that changed are handed to the sync loops. A file that does not decode is
/// reported (file, line, field path) and its last good objects stay in force.
public actor ProxyManifestSource {
    /// What the proxy keeps of one read, by the file it came from. Each file's objects are
    /// converted as soon as it is decoded; neither the decoded objects nor the file's bytes
    /// outlive its conversion.
    public struct Snapshot: Sendable {
        public var files: [String: ProxyObjects] = [:]

        public init() {}

        /// Every file's objects in one set, files in path order: when two files hold an object
        /// of the same name, the later file's wins.
        public func merged(families: [ProxyIPFamily]) -> ProxyObjects {
            var all = ProxyObjects(families: families)
            for path in files.keys.sorted() {
                if let objects = files[path] { all.merge(objects) }
            }
            return all
        }
    }

    public let directory: String
    private let families: [ProxyIPFamily]
    private let feed: ProxyObjectFeed
    private let logger: Logger
    private var snapshot = Snapshot()

    /// - Parameters:
    ///   - loops: one sync loop per IP family, each fed the objects of its family.
    ///   - families: the family of each loop, in the same order.
    public init(directory: String, loops: [ProxySyncLoop], families: [ProxyIPFamily], logger: Logger) {
        self.directory = directory
        self.families = families
        self.feed = ProxyObjectFeed(loops: loops, families: families, logger: logger)
        self.logger = logger
    }

    /// Reads the directory and hands the changes to the loops; the first call also tells them
    /// the initial lists are in. Returns the problems of files that did not decode.
    @discardableResult
    public func reload() async -> [String] {
        let problems = Self.read(directory: directory, families: families, into: &snapshot)
        for problem in problems { logger.error("proxy manifest not applied", metadata: ["error": "\(problem)"]) }
        await feed.apply(snapshot.merged(families: families))
        return problems
    }

    /// Reads every manifest file of `directory` into `snapshot`, one file at a time: a file
    /// that fails keeps the objects it had in `snapshot`, a file that is gone is dropped, and
    /// objects of other kinds are ignored. Returns the problems of files that did not decode.
    public static func read(directory: String, families: [ProxyIPFamily], into snapshot: inout Snapshot) -> [String] {
        var problems: [String] = []
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            return ["\(directory): cannot list the directory: \(error.localizedDescription)"]
        }
        let decoder = ManifestDecoder(strict: true)
        var seen = Set<String>()
        for name in names where !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")) {
            let path = directory + "/" + name
            seen.insert(path)
            // Read and decoded on a thread of its own, whose malloc arena takes the file and the
            // decoded objects (many times the size of what is kept): converted here afterwards,
            // the objects the proxy keeps are not scattered among their holes, and once the
            // decoded objects are gone their pages are wholly free.
            let decoded = FreshStorage.onFreshThread { () -> Result<[any KubeObject], ManifestError>? in
                guard let data = FileManager.default.contents(atPath: path) else { return nil }
                return Result { () throws(ManifestError) in try decoder.decodeObjects(in: data, file: path) }
            }
            guard let decoded else {
                problems.append("\(path): cannot read the file")
                continue
            }
            do {
                let objects = try decoded.get()
                // Replaced in place: the file's previous objects are released before the
                // next file is read, so a rescan never holds two copies of the directory.
                snapshot.files[path] = nil
                snapshot.files[path] = ProxyObjects(services: objects.compactMap { $0 as? CoreV1.Service },
                                                    slices: objects.compactMap { $0 as? DiscoveryV1.EndpointSlice },
                                                    families: families)
            } catch {
                problems.append(error.description)
            }
        }
        for path in snapshot.files.keys where !seen.contains(path) { snapshot.files[path] = nil }
        return problems
    }
}
