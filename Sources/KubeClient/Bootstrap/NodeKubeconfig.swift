
/// The kubeconfig a bootstrapped node uses, as the kubelet writes it after TLS bootstrap:
/// cluster `default-cluster` (server and inline CA), user `default-auth` whose
/// `client-certificate` and `client-key` are both the store's current pair, context
/// `default-context` (namespace `default`), current.
public struct NodeKubeconfig: Sendable, Hashable {
    /// The API server URL.
    public var server: String
    /// The cluster CA bundle, PEM.
    public var caPEM: String
    /// The PEM file holding the client certificate and key (the store's current symlink).
    public var credentialsPath: String

    /// A kubeconfig for `server` trusting `caPEM`, authenticating with `credentialsPath`.
    public init(server: String, caPEM: String, credentialsPath: String) {
        self.server = server
        self.caPEM = caPEM
        self.credentialsPath = credentialsPath
    }

    /// The kubeconfig as ``KubeConfig``.
    public var kubeConfig: KubeConfig {
        KubeConfig(
            clusters: [("default-cluster", KubeConfig.Cluster(server: server, certificateAuthorityData: Array(caPEM.utf8)))],
            users: [("default-auth", KubeConfig.User(clientCertificate: credentialsPath, clientKey: credentialsPath))],
            contexts: [("default-context", KubeConfig.Context(cluster: "default-cluster", user: "default-auth", namespace: "default"))],
            currentContext: "default-context")
    }

    /// Writes the kubeconfig to `path` with mode 0600, atomically; missing parent directories
    /// are created with mode 0755.
    ///
    /// - Throws: ``BootstrapError/filesystem(path:reason:)``.
    public func write(to path: String) throws(BootstrapError) {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let parent = String(path[..<slash])
            if !CredentialFiles.exists(parent) { try CredentialFiles.makeDirectory(parent, mode: 0o755) }
        }
        try CredentialFiles.writeAtomically(Array(kubeConfig.yaml().utf8), to: path, mode: 0o600)
    }
}
