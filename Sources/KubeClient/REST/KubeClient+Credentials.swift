extension KubeClient {
    /// Makes new requests authenticate with `tls` (a rotated client certificate); requests
    /// already sent finish with the old credentials (see ``AsyncHTTPTransport/reloadTLS(_:)``).
    /// ``configuration`` keeps describing what the client was made from.
    ///
    /// - Throws: ``KubeConfigError`` when a PEM input does not parse or the client was made with
    ///   a transport that cannot change its credentials; the old credentials stay then.
    public func reloadTLS(_ tls: KubeClientConfiguration.TLS) throws {
        guard let transport = transport as? AsyncHTTPTransport else {
            throw KubeConfigError(field: "tls", message: "this client's transport cannot change its TLS credentials")
        }
        try transport.reloadTLS(tls)
    }

    /// Reads the kubeconfig at `path` again and uses its TLS credentials from now on, as after a
    /// certificate rotation swapped the pair file the kubeconfig names.
    ///
    /// - Throws: the kubeconfig's ``KubeConfigError`` naming the file and field, or one naming
    ///   `server` when the kubeconfig now points at another API server.
    public func reloadTLS(kubeconfig path: String) throws {
        let fresh = try KubeConfig.load(path: path).clientConfiguration()
        guard fresh.server == configuration.server else {
            throw KubeConfigError(
                file: path, field: "server",
                message: "expected \(configuration.server) (the server this client talks to), found \(fresh.server)")
        }
        try reloadTLS(fresh.tls)
    }
}
