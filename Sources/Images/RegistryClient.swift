import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A client for the OCI distribution API (`/v2/…`): manifests and blobs by tag or digest, bearer
/// tokens obtained from the `WWW-Authenticate` challenge, basic auth, mirrors tried before the
/// registry itself, plain HTTP for registries configured so.
public final class RegistryClient: Sendable {
    /// The configuration in force.
    public let configuration: RegistryConfiguration
    private let http: HTTPClient
    private let logger: Logger
    /// `Authorization` header values by endpoint and scope.
    private let authorizations = Mutex<[String: String]>([:])

    /// The largest manifest or index accepted (the distribution spec suggests registries accept 4 MiB).
    static let manifestSizeLimit = 8 * 1024 * 1024

    /// A client using `httpClient` (the shared one by default).
    public init(configuration: RegistryConfiguration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "swiftlet.images")) {
        self.configuration = configuration
        self.http = httpClient
        self.logger = logger
    }

    /// A manifest or index as fetched, with its verified digest.
    public struct FetchedManifest: Sendable {
        public var data: Data
        public var mediaType: String
        public var digest: Digest
        /// The endpoint (mirror or registry) that served it.
        public var endpoint: String
    }

    /// Fetches the manifest or index named by `reference` (its digest if pinned, else its tag),
    /// trying mirrors first. Throws ``ImageError/digestMismatch(expected:actual:source:)`` if a
    /// pinned digest does not match the bytes served.
    public func fetchManifest(_ reference: ImageReference, digest: Digest? = nil) async throws -> FetchedManifest {
        let wanted = digest ?? reference.digest
        let tagOrDigest = wanted?.description ?? reference.tag ?? "latest"
        return try await withEndpoints(for: reference) { endpoint in
            let url = "\(endpoint)/v2/\(reference.repository)/manifests/\(tagOrDigest)"
            let response = try await send(url: url, endpoint: endpoint, reference: reference, accept: MediaType.manifestAccept,
                                          timeout: configuration.requestTimeout)
            try await Self.checkStatus(response, url: url)
            let body = try await response.body.collect(upTo: Self.manifestSizeLimit)
            let data = Data(body.readableBytesView)
            let actual = Digest(of: data)
            if let wanted, actual != wanted {
                throw ImageError.digestMismatch(expected: wanted, actual: actual, source: url)
            }
            let mediaType = try Self.mediaType(of: data, header: response.headers.first(name: "Content-Type"), source: url)
            return FetchedManifest(data: data, mediaType: mediaType, digest: actual, endpoint: endpoint)
        }
    }

    /// Downloads the blob `descriptor` of `reference`'s repository into `store`, verified while
    /// written. `progress` is called with the bytes of each chunk as it arrives.
    public func fetchBlob(
        _ descriptor: Descriptor, of reference: ImageReference, into store: ContentStore,
        progress: @Sendable (Int64) -> Void = { _ in }
    ) async throws {
        if store.contains(descriptor.digest) { return }
        try await withEndpoints(for: reference) { endpoint in
            let url = "\(endpoint)/v2/\(reference.repository)/blobs/\(descriptor.digest)"
            let response = try await send(url: url, endpoint: endpoint, reference: reference, accept: nil,
                                          timeout: configuration.blobTimeout)
            try await Self.checkStatus(response, url: url)
            let writer = try BlobWriter(store: store, expected: descriptor.digest, expectedSize: descriptor.size, source: url)
            do {
                for try await buffer in response.body {
                    try buffer.withUnsafeReadableBytes { (bytes) throws(ImageError) in try writer.write(bytes) }
                    progress(Int64(buffer.readableBytes))
                }
                try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
        }
    }

    // MARK: Endpoints and authentication

    /// Runs `body` against each endpoint in turn (mirrors, then the registry) until one succeeds.
    /// A digest or size mismatch is not retried elsewhere: it is reported as it is.
    private func withEndpoints<T: Sendable>(
        for reference: ImageReference, _ body: (String) async throws -> T
    ) async throws -> T {
        let endpoints = configuration.endpoints(for: reference.registry)
        var lastError: (any Error)?
        for endpoint in endpoints {
            do {
                return try await body(endpoint)
            } catch let error as ImageError {
                switch error {
                case .digestMismatch, .sizeMismatch, .unsupportedMediaType, .invalidDocument: throw error
                default: lastError = error
                }
            } catch {
                lastError = error
            }
            if endpoint != endpoints.last {
                logger.warning("registry endpoint failed, trying the next", metadata: [
                    "endpoint": "\(endpoint)", "reference": "\(reference)", "error": "\(lastError.map { "\($0)" } ?? "")",
                ])
            }
        }
        throw lastError ?? ImageError.registry(url: reference.registry, status: 0, message: "no endpoint configured")
    }

    private func scope(for reference: ImageReference) -> String { "repository:\(reference.repository):pull" }

    private func credential(for endpoint: String, reference: ImageReference) -> RegistryCredential? {
        let host = DockerConfigFile.registryName(fromKey: endpoint)
        if let credential = configuration.credentials[host] { return credential }
        // The registry's own endpoint uses the registry's credentials; a mirror only its own.
        return configuration.endpoints(for: reference.registry).last == endpoint ? configuration.credentials[reference.registry] : nil
    }

    /// Sends a GET, answering one `401` challenge by authenticating and retrying.
    private func send(url: String, endpoint: String, reference: ImageReference, accept: String?, timeout: Int64) async throws
        -> HTTPClientResponse
    {
        let key = "\(endpoint) \(scope(for: reference))"
        var challenged = false
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            if let accept { request.headers.add(name: "Accept", value: accept) }
            if let authorization = authorizations.withLock({ $0[key] }) {
                request.headers.add(name: "Authorization", value: authorization)
            }
            let response = try await http.execute(request, timeout: .seconds(timeout), logger: logger)
            guard response.status == .unauthorized, !challenged,
                let header = response.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge(header: header)
            else { return response }
            _ = try? await response.body.collect(upTo: 64 * 1024)
            challenged = true
            let authorization = try await authorize(challenge, endpoint: endpoint, reference: reference)
            authorizations.withLock { $0[key] = authorization }
        }
    }

    /// The `Authorization` value answering `challenge`: basic credentials, or a bearer token from the realm.
    private func authorize(_ challenge: AuthChallenge, endpoint: String, reference: ImageReference) async throws -> String {
        let credential = credential(for: endpoint, reference: reference)
        switch challenge.scheme {
        case "basic":
            guard let credential else {
                throw ImageError.authentication(registry: endpoint, reason: "the registry asks for basic auth and no credentials are configured")
            }
            return credential.basicAuthorization
        case "bearer":
            guard let realm = challenge.realm, var components = URLComponents(string: realm) else {
                throw ImageError.authentication(registry: endpoint, reason: "bearer challenge without a usable realm: \(challenge.parameters)")
            }
            var query = components.queryItems ?? []
            if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
            query.append(URLQueryItem(name: "scope", value: challenge.scope ?? scope(for: reference)))
            components.queryItems = query
            guard let tokenURL = components.string else {
                throw ImageError.authentication(registry: endpoint, reason: "cannot build a token URL from realm \(realm)")
            }
            var request = HTTPClientRequest(url: tokenURL)
            if let credential { request.headers.add(name: "Authorization", value: credential.basicAuthorization) }
            let response = try await http.execute(request, timeout: .seconds(configuration.requestTimeout), logger: logger)
            let body = try await response.body.collect(upTo: 1024 * 1024)
            guard response.status == .ok else {
                throw ImageError.authentication(
                    registry: endpoint, reason: "token endpoint \(realm) answered \(response.status.code)")
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                let token = (object["token"] as? String) ?? (object["access_token"] as? String), !token.isEmpty
            else {
                throw ImageError.authentication(registry: endpoint, reason: "token endpoint \(realm) sent no \"token\" or \"access_token\"")
            }
            return "Bearer \(token)"
        default:
            throw ImageError.authentication(registry: endpoint, reason: "unsupported challenge scheme \"\(challenge.scheme)\"")
        }
    }

    // MARK: Responses

    /// Throws ``ImageError/registry(url:status:message:)`` for anything but 200, with the
    /// distribution spec's error message if the body carries one.
    private static func checkStatus(_ response: HTTPClientResponse, url: String) async throws {
        guard response.status != .ok else { return }
        let body = (try? await response.body.collect(upTo: 64 * 1024)).map { Data($0.readableBytesView) } ?? Data()
        var message = response.status.reasonPhrase
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let errors = object["errors"] as? [[String: Any]]
        {
            message = errors.map { "\($0["code"] as? String ?? "")\(($0["message"] as? String).map { ": \($0)" } ?? "")" }
                .joined(separator: "; ")
        }
        throw ImageError.registry(url: url, status: Int(response.status.code), message: message)
    }

    /// The media type of a manifest document: the `Content-Type` header when it names a manifest
    /// type, else the document's own `mediaType`, else guessed from its shape.
    static func mediaType(of data: Data, header: String?, source: String) throws(ImageError) -> String {
        let headerType = header?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        if let headerType, MediaType.isIndex(headerType) || MediaType.isManifest(headerType) { return headerType }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .invalidDocument(source: source, field: "(document)", expected: "a JSON manifest or index")
        }
        if let declared = object["mediaType"] as? String {
            guard MediaType.isIndex(declared) || MediaType.isManifest(declared) else {
                throw .unsupportedMediaType(declared, source: source)
            }
            return declared
        }
        if object["manifests"] != nil { return MediaType.ociIndex }
        if object["config"] != nil, object["layers"] != nil { return MediaType.ociManifest }
        throw .unsupportedMediaType(headerType ?? "(none)", source: source)
    }
}
