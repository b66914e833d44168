import Foundation
import KubeAPI

/// A kubeconfig file (`apiVersion: v1`, `kind: Config`) as kubectl reads it: named clusters, users
/// and contexts, and the current context. File paths in it are kept as written and resolved
/// against ``directory`` when used, as kubectl resolves them against the file's own directory.
public struct KubeConfig: Sendable, Hashable {
    /// A named cluster: where the API server is and how to trust it.
    public struct Cluster: Sendable, Hashable {
        /// `server`: `https://host:port`.
        public var server: String
        /// `certificate-authority`: a PEM file.
        public var certificateAuthority: String?
        /// `certificate-authority-data`: PEM bytes (base64 in the file).
        public var certificateAuthorityData: [UInt8]?
        /// `insecure-skip-tls-verify`.
        public var insecureSkipTLSVerify: Bool
        /// `tls-server-name`.
        public var tlsServerName: String?

        /// A cluster from its parts.
        public init(
            server: String, certificateAuthority: String? = nil, certificateAuthorityData: [UInt8]? = nil,
            insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil
        ) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
        }
    }

    /// A named user: the credentials presented.
    public struct User: Sendable, Hashable {
        /// `client-certificate`: a PEM file.
        public var clientCertificate: String?
        /// `client-certificate-data`.
        public var clientCertificateData: [UInt8]?
        /// `client-key`: a PEM file.
        public var clientKey: String?
        /// `client-key-data`.
        public var clientKeyData: [UInt8]?
        /// `token`.
        public var token: String?
        /// `tokenFile`.
        public var tokenFile: String?
        /// `username` and `password` (basic authentication).
        public var username: String?
        /// `password`.
        public var password: String?
        /// `exec`: a credential plugin.
        public var exec: ExecCredentialConfig?

        /// A user from its parts.
        public init(
            clientCertificate: String? = nil, clientCertificateData: [UInt8]? = nil, clientKey: String? = nil,
            clientKeyData: [UInt8]? = nil, token: String? = nil, tokenFile: String? = nil, username: String? = nil,
            password: String? = nil, exec: ExecCredentialConfig? = nil
        ) {
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.token = token
            self.tokenFile = tokenFile
            self.username = username
            self.password = password
            self.exec = exec
        }
    }

    /// A named context: a cluster, a user and a default namespace.
    public struct Context: Sendable, Hashable {
        /// `cluster`: a cluster's name.
        public var cluster: String
        /// `user`: a user's name.
        public var user: String
        /// `namespace`.
        public var namespace: String?

        /// A context from its parts.
        public init(cluster: String, user: String, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }

    /// Clusters by name, in file order.
    public var clusters: [(name: String, cluster: Cluster)]
    /// Users by name, in file order.
    public var users: [(name: String, user: User)]
    /// Contexts by name, in file order.
    public var contexts: [(name: String, context: Context)]
    /// `current-context`.
    public var currentContext: String?
    /// The directory relative paths are resolved against (the file's own; nil: the working directory).
    public var directory: String?
    /// The file read, for messages.
    public var file: String?

    /// A kubeconfig from its parts.
    public init(
        clusters: [(name: String, cluster: Cluster)] = [], users: [(name: String, user: User)] = [],
        contexts: [(name: String, context: Context)] = [], currentContext: String? = nil, directory: String? = nil,
        file: String? = nil
    ) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
        self.directory = directory
        self.file = file
    }

    /// The cluster named `name`.
    public func cluster(named name: String) -> Cluster? { clusters.first { $0.name == name }?.cluster }
    /// The user named `name`.
    public func user(named name: String) -> User? { users.first { $0.name == name }?.user }
    /// The context named `name`.
    public func context(named name: String) -> Context? { contexts.first { $0.name == name }?.context }

    public static func == (lhs: KubeConfig, rhs: KubeConfig) -> Bool {
        lhs.clusters.map(\.name) == rhs.clusters.map(\.name) && lhs.clusters.map(\.cluster) == rhs.clusters.map(\.cluster)
            && lhs.users.map(\.name) == rhs.users.map(\.name) && lhs.users.map(\.user) == rhs.users.map(\.user)
            && lhs.contexts.map(\.name) == rhs.contexts.map(\.name)
            && lhs.contexts.map(\.context) == rhs.contexts.map(\.context) && lhs.currentContext == rhs.currentContext
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(clusters.map(\.name))
        hasher.combine(users.map(\.name))
        hasher.combine(contexts.map(\.name))
        hasher.combine(currentContext)
    }

    /// Reads the kubeconfig at `path`.
    ///
    /// - Throws: ``KubeConfigError`` naming the file, and the field when the content is wrong.
    public static func load(path: String) throws -> KubeConfig {
        let text = try readText(path, field: "")
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(text, file: path, directory: directory.isEmpty ? "." : directory)
    }

    /// Reads a file as UTF-8 text.
    ///
    /// - Throws: ``KubeConfigError`` naming `path` and `field` when it cannot be read.
    static func readText(_ path: String, field: String) throws -> String {
        String(decoding: try readBytes(path, field: field), as: UTF8.self)
    }

    /// Reads a file's bytes.
    ///
    /// - Throws: ``KubeConfigError`` naming `path` and `field` when it cannot be read.
    static func readBytes(_ path: String, field: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
            throw KubeConfigError(file: path, field: field, message: "expected a readable file; it \(reason)")
        }
        return [UInt8](data)
    }

    /// `path` resolved against ``directory`` when relative.
    public func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let directory else { return path }
        return directory + "/" + path
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
