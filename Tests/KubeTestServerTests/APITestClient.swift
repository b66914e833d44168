import AsyncHTTPClient
import Foundation
import KubeAPI
import KubeTestServer
import NIOCore
import NIOHTTP1
import NIOSSL

/// A raw HTTP client for the test server: requests with a client certificate or a bearer token,
/// answers as status, headers and parsed JSON, and watches read line by line.
struct APITestClient {
    let client: HTTPClient
    let base: String
    let bearer: String?

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: JSONValue
    }

    /// A client for `server` presenting a certificate for `user` in `groups`, or none when nil.
    static func make(_ server: KubeTestServer, user: String? = "admin", groups: [String] = ["system:masters"], bearer: String? = nil)
        throws -> APITestClient
    {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(server.caCertificatePEM.utf8), format: .pem)])
        if let user {
            let (certificate, key) = try server.issueClientCertificate(user: user, groups: groups)
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        return APITestClient(client: client, base: server.url, bearer: bearer)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    private func request(_ method: HTTPMethod, _ path: String, body: JSONValue?, contentType: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        }
        return request
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, contentType: String = "application/json")
        async throws -> Answer
    {
        let response = try await client.execute(request(method, path, body: body, contentType: contentType), timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let parsed = bytes.readableBytes == 0 ? JSONValue.null : try JSONParser.parse(Array(bytes.readableBytesView))
        return Answer(status: Int(response.status.code), headers: response.headers, body: parsed)
    }

    func get(_ path: String) async throws -> Answer { try await send(.GET, path) }

    /// Opens a watch; read its events with ``WatchStream/next()``.
    func watch(_ path: String) async throws -> WatchStream {
        let response = try await client.execute(request(.GET, path, body: nil, contentType: ""), timeout: .seconds(120))
        return WatchStream(status: Int(response.status.code), iterator: response.body.makeAsyncIterator())
    }
}

/// The events of one watch response, parsed from its JSON lines.
final class WatchStream {
    let status: Int
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []

    init(status: Int, iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.status = status
        self.iterator = iterator
    }

    /// The next event as (type, object), or nil when the server ended the stream.
    func next() async throws -> (type: String, object: JSONValue)? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.isEmpty { continue }
                let event = try JSONParser.parse(line)
                return (event["type"]?.stringValue ?? "", event["object"] ?? .null)
            }
            guard let chunk = try await iterator.next() else { return nil }
            buffer.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// The next event that is not a BOOKMARK.
    func nextChange() async throws -> (type: String, object: JSONValue)? {
        while let event = try await next() {
            if event.type != "BOOKMARK" { return event }
        }
        return nil
    }
}

/// Runs `body` against a fresh server and an admin client, stopping both afterwards.
func withServer(
    _ options: KubeTestServer.Options = KubeTestServer.Options(),
    _ body: (KubeTestServer, APITestClient) async throws -> Void
) async throws {
    let server = try await KubeTestServer.start(options)
    let client = try APITestClient.make(server)
    do {
        try await body(server, client)
    } catch {
        await client.shutdown()
        await server.stop()
        throw error
    }
    await client.shutdown()
    await server.stop()
}

func configMap(_ name: String, namespace: String = "default", data: [String: String] = [:]) -> JSONValue {
    var object = JSONObject()
    for (key, value) in data.sorted(by: { $0.key < $1.key }) { object[key] = .string(value) }
    return [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "data": .object(object),
    ]
}

func pod(_ name: String, namespace: String = "default", node: String? = nil, labels: [String: String] = [:]) -> JSONValue {
    var labelObject = JSONObject()
    for (key, value) in labels.sorted(by: { $0.key < $1.key }) { labelObject[key] = .string(value) }
    var spec: JSONObject = ["containers": [["name": "app", "image": "busybox:1.36"]]]
    if let node { spec["nodeName"] = .string(node) }
    return [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(labelObject)],
        "spec": .object(spec),
    ]
}

extension JSONValue {
    /// A copy with the value at a path of object keys set, creating objects on the way.
    func setting(path: [String], to newValue: JSONValue) -> JSONValue {
        guard let key = path.first else { return newValue }
        if path.count == 1 { return setting(key, to: newValue) }
        return setting(key, to: (self[key] ?? .object(JSONObject())).setting(path: Array(path.dropFirst()), to: newValue))
    }
}
