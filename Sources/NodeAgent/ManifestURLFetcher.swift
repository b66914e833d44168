import AsyncHTTPClient
import Kubelet
import NIOCore
import NIOPosix

/// Fetches the manifest URL (`staticPodURL`) for ``ManifestURLSource`` with async-http-client
/// on the agent's shared event loops, so the agent needs no URLSession (FoundationNetworking
/// links libcurl and its TLS, Kerberos and LDAP libraries into the process, several MiB of
/// resident memory for one GET every 20 seconds).
///
/// As Go's default HTTP client does for the kubelet: redirects are followed (at most 10), the
/// system's trusted roots check `https` servers, and only status 200 is a manifest.
enum ManifestURLFetcher {
    /// The largest body read; a bigger one fails the fetch (the last pods are kept).
    static let maximumBodyBytes = 16 << 20

    /// Fetches `url` with `headers`; each fetch uses a client of its own, shut down after.
    ///
    /// - Throws: ``ManifestURLSource/HTTPStatusError`` for a status other than 200, or the
    ///   client's error (a URL it cannot use, a connection that fails, a body over the limit).
    static func fetch(_ url: String, headers: [String: [String]]) async throws -> [UInt8] {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .follow(max: 10, allowCycles: false)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: .seconds(30))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: url)
            for (name, values) in headers {
                for value in values { request.headers.add(name: name, value: value) }
            }
            let response = try await client.execute(request, timeout: .seconds(60))
            guard response.status.code == 200 else {
                throw ManifestURLSource.HTTPStatusError(url: url, status: Int(response.status.code))
            }
            let body = try await response.body.collect(upTo: maximumBodyBytes)
            try await client.shutdown()
            return Array(body.readableBytesView)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
