extension NodeBootstrap {
    /// The kubelet's `--kubeconfig` / `--bootstrap-kubeconfig` start-up: an existing kubeconfig
    /// is used as it is (nil returned); otherwise the bootstrap kubeconfig file is read and its
    /// token or client certificate requests this node's certificate, which is stored in
    /// `certificateDirectory` with a kubeconfig naming it written to `kubeconfigPath`.
    ///
    /// - Throws: ``BootstrapError/noCredentials(kubeconfig:)`` when neither file is there,
    ///   ``BootstrapError/credentials(_:)`` naming the bootstrap kubeconfig when it does not
    ///   read, ``BootstrapError`` from the bootstrap.
    public func loadOrBootstrap(
        kubeconfigPath: String, bootstrapKubeconfigPath: String?, nodeName: String, certificateDirectory: String
    ) async throws(BootstrapError) -> Credentials? {
        var bootstrap: BootstrapEndpoint?
        if let bootstrapKubeconfigPath {
            do {
                let configuration = try KubeConfig.load(path: bootstrapKubeconfigPath).clientConfiguration()
                bootstrap = try BootstrapEndpoint(bootstrapKubeconfig: configuration)
            } catch {
                // With a kubeconfig in place the bootstrap one is only a fallback, as for the
                // kubelet, which reads it only when it has to bootstrap.
                if !CredentialFiles.exists(kubeconfigPath) {
                    throw .credentials("bootstrap kubeconfig: \(error)")
                }
            }
        }
        return try await loadOrBootstrap(
            kubeconfigPath: kubeconfigPath, bootstrap: bootstrap, nodeName: nodeName, certificateDirectory: certificateDirectory)
    }
}
