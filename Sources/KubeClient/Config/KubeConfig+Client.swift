extension KubeConfig {
    /// The client configuration of `context` (nil: ``currentContext``): the context's cluster and
    /// user, with files read and relative paths resolved against the kubeconfig's directory.
    ///
    /// - Throws: ``KubeConfigError`` naming the missing context, cluster or user, the unreadable
    ///   file, or the field in conflict (both a file and `-data`, a certificate without its key).
    public func clientConfiguration(context: String? = nil) throws -> KubeClientConfiguration {
        guard let contextName = context ?? currentContext, !contextName.isEmpty else {
            throw KubeConfigError(file: file, field: "current-context", message: "expected a context to use; none is set")
        }
        guard let context = self.context(named: contextName) else {
            throw KubeConfigError(
                file: file, field: "contexts", message: "expected a context named \"\(contextName)\"")
        }
        guard let cluster = self.cluster(named: context.cluster) else {
            throw KubeConfigError(
                file: file, field: "clusters",
                message: "expected a cluster named \"\(context.cluster)\" (context \"\(contextName)\")")
        }
        guard !cluster.server.isEmpty else {
            throw KubeConfigError(
                file: file, field: "clusters[\(context.cluster)].cluster.server", message: "expected the API server's URL")
        }
        let user: User
        if context.user.isEmpty {
            user = User()
        } else if let named = self.user(named: context.user) {
            user = named
        } else {
            throw KubeConfigError(
                file: file, field: "users", message: "expected a user named \"\(context.user)\" (context \"\(contextName)\")")
        }
        let clusterField = "clusters[\(context.cluster)].cluster"
        let userField = "users[\(context.user)].user"
        var tls = KubeClientConfiguration.TLS(
            caPEM: try material(
                data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
                field: clusterField + ".certificate-authority"),
            clientCertificatePEM: try material(
                data: user.clientCertificateData, file: user.clientCertificate, field: userField + ".client-certificate"),
            clientKeyPEM: try material(data: user.clientKeyData, file: user.clientKey, field: userField + ".client-key"),
            insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)
        if tls.insecureSkipVerify, tls.caPEM != nil {
            // kubectl refuses both; so do we, rather than silently trusting nothing.
            throw KubeConfigError(
                file: file, field: clusterField,
                message: "expected either certificate-authority(-data) or insecure-skip-tls-verify, not both")
        }
        if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
            throw KubeConfigError(
                file: file, field: userField, message: "expected client-certificate and client-key together")
        }
        if tls.insecureSkipVerify { tls.caPEM = nil }
        let credentials: KubeClientConfiguration.Credentials
        if let token = user.token, !token.isEmpty {
            credentials = .bearerToken(token)
        } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            credentials = .tokenFile(resolve(tokenFile))
        } else if let exec = user.exec {
            var resolved = exec
            if exec.command.contains("/") { resolved.command = resolve(exec.command) }
            credentials = .exec(resolved)
        } else if let username = user.username, let password = user.password {
            credentials = .basic(username: username, password: password)
        } else {
            credentials = .none
        }
        return KubeClientConfiguration(
            server: cluster.server, tls: tls, credentials: credentials, namespace: context.namespace ?? "default")
    }

    private func material(data: [UInt8]?, file path: String?, field: String) throws -> [UInt8]? {
        if let data, !data.isEmpty {
            if let path, !path.isEmpty {
                throw KubeConfigError(
                    file: file, field: field, message: "expected either \(field.split(separator: ".").last ?? "") or its -data, not both")
            }
            return data
        }
        guard let path, !path.isEmpty else { return nil }
        return try Self.readBytes(resolve(path), field: field)
    }
}
