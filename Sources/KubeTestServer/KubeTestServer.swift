// KubeTestServer: a Kubernetes API server for tests, faithful to the REST semantics the agent relies
// on (a global resourceVersion, list with continue, watch with bookmarks and 410 Gone, selectors,
// conflicts, patches, TokenRequest, the CSR approval flow, cluster-info with its JWS signature, TLS
// with client certificates) and with faults on demand. Test support only; never shipped. It knows
// nothing of the agent: clients reach it over HTTP(S) only.
import Crypto
import Foundation
import KubeAPI
import NIOCore
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// A Kubernetes API server for tests, listening on 127.0.0.1. Start one with ``start(_:)``, point a
/// client at ``url`` with ``writeAdminKubeconfig(to:)`` or a certificate from
/// ``issueClientCertificate(user:groups:)``, and ``stop()`` it when done.
public final class KubeTestServer: Sendable {
    /// How the server is set up.
    public struct Options: Sendable {
        /// Serve HTTPS with client-certificate and token authentication (else plain HTTP, where
        /// every request acts as admin unless it carries a bearer token).
        public var tls = true
        /// The port, 0 for a free one.
        public var port = 0
        /// How often watches that asked for bookmarks get one.
        public var bookmarkInterval: Duration = .seconds(1)
        /// Approve every CSR as it is created.
        public var autoApproveCSRs = false

        public init() {}
    }

    /// An error the server answered with, or a bad argument to one of its methods.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The HTTP status code (`404`, `409`, ...).
        public var code: Int
        /// The Status reason (`NotFound`, `AlreadyExists`, `Conflict`, ...).
        public var reason: String
        public var message: String
        public var description: String { "\(code) \(reason): \(message)" }
    }

    struct Runtime: Sendable {
        var listener: HTTPListener?
        var port: Int
        var faults = FaultPlan()
        var staticTokens: [String: Identity] = [:]
        var autoApproveCSRs: Bool
        var bookmarks: Task<Void, Never>?
    }

    let store = ObjectStore()
    let authority: TestCertificateAuthority
    /// The key that signs service-account tokens (ES256), raw.
    private let serviceAccountKeyBytes = P256.Signing.PrivateKey().rawRepresentation

    /// The key that signs service-account tokens (ES256).
    var serviceAccountKey: P256.Signing.PrivateKey {
        // The bytes came from a valid key, so they always make one again.
        (try? P256.Signing.PrivateKey(rawRepresentation: serviceAccountKeyBytes)) ?? P256.Signing.PrivateKey()
    }
    let options: Options
    let runtime: Mutex<Runtime>
    private let tlsContext: NIOSSLContext?

    private init(options: Options) throws {
        self.options = options
        authority = try TestCertificateAuthority()
        runtime = Mutex(Runtime(port: options.port, autoApproveCSRs: options.autoApproveCSRs))
        if options.tls {
            let serverKey = P256.Signing.PrivateKey()
            let serving = try authority.issue(
                publicKey: .init(serverKey.publicKey), subject: try DistinguishedName { CommonName("kube-apiserver") },
                validFor: 365 * 86400, clientAuth: false, serverAuth: true,
                dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
                ipAddresses: [[127, 0, 0, 1]])
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: try Self.der(serving), format: .der))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKey.pemRepresentation.utf8), format: .pem)))
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: authority.certificateDER, format: .der)])
            tlsContext = try NIOSSLContext(configuration: configuration)
        } else {
            tlsContext = nil
        }
        try store.transaction { (state: inout StoreState) throws(APIError) in
            for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
                _ = try state.create(.namespaces, namespace: nil, ["metadata": ["name": .string(name)]])
            }
        }
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// Starts a server with `options`: namespaces `default`, `kube-system`, `kube-public` and
    /// `kube-node-lease` exist, and `cluster-info` is published in `kube-public`.
    public static func start(_ options: Options = Options()) async throws -> KubeTestServer {
        let server = try KubeTestServer(options: options)
        try await server.listen()
        server.publishClusterInfo()
        return server
    }

    private func listen() async throws {
        let port = runtime.withLock { $0.port }
        let listener = try await HTTPListener.start(host: "127.0.0.1", port: port, tls: tlsContext) { [self] request in
            await handle(request)
        }
        let interval = options.bookmarkInterval
        let bookmarks = Task { [store] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                store.transaction { $0.sendBookmarks() }
            }
        }
        runtime.withLock {
            $0.listener = listener
            $0.port = listener.port
            $0.bookmarks = bookmarks
        }
    }

    /// The base URL, `https://127.0.0.1:<port>` (or `http://` without TLS).
    public var url: String { "\(options.tls ? "https" : "http")://127.0.0.1:\(port)" }

    /// The port bound.
    public var port: Int { runtime.withLock { $0.port } }

    /// The cluster CA certificate, PEM.
    public var caCertificatePEM: String { authority.certificatePEM }

    /// The current global resourceVersion.
    public var resourceVersion: Int64 { store.transaction { $0.revision } }

    /// Issues a client certificate (CN `user`, O `groups`) and its key, both PEM.
    public func issueClientCertificate(user: String, groups: [String]) throws -> (certificatePEM: String, keyPEM: String) {
        try authority.issueClientCertificate(user: user, groups: groups)
    }

    /// Writes a kubeconfig for `kubernetes-admin` (group `system:masters`) with embedded CA,
    /// certificate and key, as kubectl reads it.
    public func writeAdminKubeconfig(to path: String) throws {
        let (certificate, key) = try issueClientCertificate(user: "kubernetes-admin", groups: ["system:masters"])
        let text = Self.kubeconfig(
            server: url, caPEM: options.tls ? caCertificatePEM : nil, user: "kubernetes-admin",
            certificatePEM: certificate, keyPEM: key)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func kubeconfig(server: String, caPEM: String?, user: String, certificatePEM: String, keyPEM: String) -> String {
        func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        var cluster: JSONObject = ["server": .string(server)]
        if let caPEM { cluster["certificate-authority-data"] = .string(b64(caPEM)) }
        let config: JSONValue = [
            "apiVersion": "v1", "kind": "Config",
            "clusters": [["name": "test", "cluster": .object(cluster)]],
            "users": [
                [
                    "name": .string(user),
                    "user": ["client-certificate-data": .string(b64(certificatePEM)), "client-key-data": .string(b64(keyPEM))],
                ]
            ],
            "contexts": [["name": "test", "context": ["cluster": "test", "user": .string(user)]]],
            "current-context": "test",
        ]
        return YAMLWriter.string(config)
    }

    /// Accepts `token` as a bearer token for `user` in `groups`.
    public func addStaticToken(_ token: String, user: String, groups: [String]) {
        runtime.withLock { $0.staticTokens[token] = Identity(user: user, groups: groups) }
    }

    /// Creates the bootstrap token `<id>.<secret>` as kubeadm does (Secret `bootstrap-token-<id>`
    /// in kube-system, for authentication and signing) and signs cluster-info with it.
    public func addBootstrapToken(id: String, secret: String, expiration: Date? = nil) throws {
        var data: JSONObject = [
            "token-id": .string(id), "token-secret": .string(secret),
            "usage-bootstrap-authentication": "true", "usage-bootstrap-signing": "true",
            "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token",
        ]
        if let expiration { data["expiration"] = .string(StoreState.timestamp(expiration)) }
        var encoded = JSONObject()
        for (key, value) in data.members { encoded[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
        _ = try create([
            "apiVersion": "v1", "kind": "Secret",
            "metadata": ["name": .string("bootstrap-token-\(id)"), "namespace": "kube-system"],
            "type": "bootstrap.kubernetes.io/token", "data": .object(encoded),
        ])
        publishClusterInfo()
    }

    /// Stops listening, closes every connection and watch.
    public func stop() async {
        let (listener, bookmarks) = runtime.withLock { state in
            defer {
                state.listener = nil
                state.bookmarks = nil
            }
            return (state.listener, state.bookmarks)
        }
        bookmarks?.cancel()
        store.transaction { $0.dropAllWatches() }
        await listener?.stop()
    }

    /// Stops and starts again on the same port with the same objects, CA and tokens; with
    /// `compacting`, every older resourceVersion is compacted, so watches must relist (410).
    public func restart(compacting: Bool = true) async throws {
        await stop()
        if compacting { compact() }
        try await listen()
    }
}
