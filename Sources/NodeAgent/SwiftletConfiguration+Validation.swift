import KubeAPI

extension SwiftletConfiguration {
    /// Every value problem of the configuration, with paths from the document root.
    public func validate() -> [FieldError] {
        var checks = FieldChecks()
        checks.absolutePath(stateDir, FieldPath("stateDir"))
        checks.absolutePath(runDir, FieldPath("runDir"))
        checks.absolutePath(apiSocket, FieldPath("apiSocket"))
        if apiSocket.utf8.count >= 108 {
            checks.fail(FieldPath("apiSocket"), "socket path is \(apiSocket.utf8.count) bytes: expected fewer than 108")
        }
        checks.oneOf(runtime.backend, Runtime.backends, FieldPath("runtime", "backend"))
        if runtime.backend == "oci" && runtime.ociRuntimePath.isEmpty {
            checks.fail(FieldPath("runtime", "ociRuntimePath"), "required value for the oci backend")
        }
        if runtime.backend == "remote" {
            let endpoint = runtime.remoteEndpoint
            if !(endpoint.hasPrefix("unix:///") || endpoint.hasPrefix("tcp://")) {
                checks.fail(FieldPath("runtime", "remoteEndpoint"),
                    "invalid endpoint \(quotedText(endpoint)): expected unix:///path/to.sock or tcp://host:port")
            }
        }
        checks.absolutePath(images.storeDir, FieldPath("images", "storeDir"))
        checks.absolutePath(controlPlane.kubeconfig, FieldPath("controlPlane", "kubeconfig"), allowEmpty: true)
        checks.absolutePath(controlPlane.bootstrapKubeconfig, FieldPath("controlPlane", "bootstrapKubeconfig"), allowEmpty: true)
        checks.absolutePath(controlPlane.certDir, FieldPath("controlPlane", "certDir"))
        if !controlPlane.bootstrapKubeconfig.isEmpty && controlPlane.kubeconfig.isEmpty {
            checks.fail(FieldPath("controlPlane", "kubeconfig"),
                "required value when bootstrapKubeconfig is set: expected the path the node's credentials are written to")
        }
        for problem in MetadataValidation.validateLabels(controlPlane.nodeLabels, at: FieldPath("controlPlane", "nodeLabels")) {
            checks.fail(problem.path, "\(problem.badValue.map { "\($0): " } ?? "")\(problem.detail)")
        }
        for registry in images.registryMirrors.keys.sorted() {
            for (index, mirror) in images.registryMirrors[registry]!.enumerated()
            where !(mirror.hasPrefix("https://") || mirror.hasPrefix("http://")) {
                checks.fail(FieldPath("images", "registryMirrors").key(registry).index(index),
                    "invalid mirror \(quotedText(mirror)): expected an https:// or http:// URL")
            }
        }
        for (index, registry) in images.insecureRegistries.enumerated() where registry.isEmpty || registry.contains("/") {
            checks.fail(FieldPath("images", "insecureRegistries").index(index),
                "invalid registry \(quotedText(registry)): expected a host or host:port")
        }
        checks.oneOf(podNetwork.mode, PodNetwork.modes, FieldPath("podNetwork", "mode"))
        let bridge = podNetwork.bridgeName
        if bridge.isEmpty || bridge.utf8.count > 15 || bridge.contains(where: { $0 == "/" || $0 == " " || $0 == ":" }) {
            checks.fail(FieldPath("podNetwork", "bridgeName"),
                "invalid interface name \(quotedText(bridge)): expected 1 to 15 characters without /, : or spaces")
        }
        var families: Set<Bool> = []
        for (index, cidr) in podNetwork.podCIDRs.enumerated() {
            let path = FieldPath("podNetwork", "podCIDRs").index(index)
            checks.cidr(cidr, path)
            let isIPv6 = cidr.contains(":")
            if !families.insert(isIPv6).inserted {
                checks.fail(path, "at most one CIDR per address family")
            }
        }
        checks.inRange(podNetwork.mtu, 576...65535, FieldPath("podNetwork", "mtu"))
        checks.absolutePath(podNetwork.cniConfDir, FieldPath("podNetwork", "cniConfDir"))
        for (index, directory) in podNetwork.cniBinDirs.enumerated() {
            checks.absolutePath(directory, FieldPath("podNetwork", "cniBinDirs").index(index))
        }
        if !podNetwork.nodeNetworkNamespace.isEmpty {
            checks.absolutePath(podNetwork.nodeNetworkNamespace, FieldPath("podNetwork", "nodeNetworkNamespace"))
        }
        return checks.errors
    }
}
