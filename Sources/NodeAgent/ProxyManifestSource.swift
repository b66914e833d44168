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
    /// The objects of one read, by the file they came from.
    public struct Snapshot: Sendable {
        public var services: [String: [CoreV1.Service]] = [:]
        public var slices: [String: [DiscoveryV1.EndpointSlice]] = [:]

        public init() {}
    }

    public let directory: String
    private let feed: ProxyObjectFeed
    private let logger: Logger
    private var snapshot = Snapshot()

    /// - Parameters:
    ///   - loops: one sync loop per IP family, each fed the objects of its family.
    ///   - families: the family of each loop, in the same order.
    public init(directory: String, loops: [ProxySyncLoop], families: [ProxyIPFamily], logger: Logger) {
        self.directory = directory
        self.feed = ProxyObjectFeed(loops: loops, families: families, logger: logger)
        self.logger = logger
    }

    /// Reads the directory and hands the changes to the loops; the first call also tells them
    /// the initial lists are in. Returns the problems of files that did not decode.
    @discardableResult
    public func reload() async -> [String] {
        let (next, problems) = Self.read(directory: directory, previous: snapshot)
        for problem in problems { logger.error("proxy manifest not applied", metadata: ["error": "\(problem)"]) }
        snapshot = next

        await feed.apply(services: next.services.keys.sorted().flatMap { next.services[$0] ?? [] },
                         slices: Array(next.slices.values.joined()))
        return problems
    }

    /// Reads every manifest file of `directory`. A file that fails keeps its objects from
    /// `previous`; objects of other kinds are ignored.
    public static func read(directory: String, previous: Snapshot) -> (Snapshot, problems: [String]) {
        var snapshot = Snapshot()
        var problems: [String] = []
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            return (previous, ["\(directory): cannot list the directory: \(error.localizedDescription)"])
        }
        let decoder = ManifestDecoder(strict: true)
        for name in names where !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")) {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append("\(path): cannot read the file")
                snapshot.services[path] = previous.services[path]
                snapshot.slices[path] = previous.slices[path]
                continue
            }
            do {
                let objects = try decoder.decodeObjects(in: [UInt8](data), file: path)
                snapshot.services[path] = objects.compactMap { $0 as? CoreV1.Service }
                snapshot.slices[path] = objects.compactMap { $0 as? DiscoveryV1.EndpointSlice }
            } catch {
                problems.append(error.description)
                snapshot.services[path] = previous.services[path]
                snapshot.slices[path] = previous.slices[path]
            }
        }
        return (snapshot, problems)
    }
}
