import Foundation
import KubeAPI
import Logging

/// The manifest URL (`staticPodURL`), fetched every `checkFrequency` (upstream's
/// `httpCheckFrequency`) with the configured headers. A failed fetch keeps the last snapshot.
public struct ManifestURLSource: PodSource {
    /// Fetches the URL's body. The agent passes its HTTP client (this module has none, so that
    /// the process does not load URLSession and libcurl for it); tests pass a fake.
    public typealias Fetch = @Sendable (_ url: String, _ headers: [String: [String]]) async throws -> [UInt8]

    public let name = "http"
    public var url: String
    public var headers: [String: [String]]
    public var nodeName: String
    public var checkFrequency: Duration
    private let fetch: Fetch
    private let logger: Logger

    public init(
        url: String, headers: [String: [String]] = [:], nodeName: String, checkFrequency: Duration = .seconds(20),
        logger: Logger = Logger(label: "swiftlet.kubelet.http"), fetch: @escaping Fetch
    ) {
        self.url = url
        self.headers = headers
        self.nodeName = nodeName
        self.checkFrequency = checkFrequency
        self.logger = logger
        self.fetch = fetch
    }

    public func run(deliver: @escaping @Sendable (PodSourceSnapshot) async -> Void) async throws {
        let reader = ManifestReader(nodeName: nodeName)
        var last: PodSourceSnapshot? = nil
        while !Task.isCancelled {
            do {
                let body = try await fetch(url, headers)
                let contents = reader.read(body, location: url, isFile: false)
                for issue in contents.issues {
                    logger.error("bad manifest, ignored", metadata: ["url": "\(url)", "problem": "\(issue.message)"])
                }
                var snapshot = PodSourceSnapshot(
                    source: name, pods: contents.pods, configMaps: contents.configMaps, secrets: contents.secrets,
                    services: contents.services, issues: contents.issues)
                if contents.unreadable, let last { snapshot.pods = last.pods }
                if last?.pods != snapshot.pods || last?.issues != snapshot.issues || last == nil {
                    last = snapshot
                    await deliver(snapshot)
                }
            } catch {
                logger.warning("cannot fetch the manifest URL, keeping the last pods", metadata: ["url": "\(url)", "error": "\(error)"])
                if last == nil {
                    let empty = PodSourceSnapshot(source: name, pods: [], issues: [ManifestIssue(location: url, message: "\(url): \(error)")])
                    last = empty
                    await deliver(empty)
                }
            }
            try? await Task.sleep(for: checkFrequency)
        }
    }

    /// A fetch failed with an HTTP status other than 200.
    public struct HTTPStatusError: Error, CustomStringConvertible {
        public var url: String
        public var status: Int
        public var description: String { "\(url): HTTP status \(status), expected 200" }

        public init(url: String, status: Int) {
            self.url = url
            self.status = status
        }
    }
}
