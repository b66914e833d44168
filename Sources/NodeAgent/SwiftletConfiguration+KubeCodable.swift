import KubeAPI

extension SwiftletConfiguration: KubeCodable {
    /// Reads a `SwiftletConfiguration` document; absent fields keep their defaults.
    ///
    /// - Throws: ``FieldErrorList`` with every bad or unknown field.
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "apiVersion", "kind": reader.readTypeMeta(key, apiVersion: Self.apiVersion, kind: Self.kind)
            case "logLevel": reader.assign(&logLevel)
            case "stateDir": reader.assign(&stateDir)
            case "runDir": reader.assign(&runDir)
            case "apiSocket": reader.assign(&apiSocket)
            case "runtime": reader.assign(&runtime)
            case "images": reader.assign(&images)
            case "podNetwork": reader.assign(&podNetwork)
            case "controlPlane": reader.assign(&controlPlane)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    /// Every field, defaults included: the effective configuration.
    public func encoded() -> JSONValue {
        var object = JSONObject()
        object.add("apiVersion", Self.apiVersion)
        object.add("kind", Self.kind)
        object.add("logLevel", logLevel)
        object.add("stateDir", stateDir)
        object.add("runDir", runDir)
        object.add("apiSocket", apiSocket)
        object.add("runtime", runtime)
        object.add("images", images)
        object.add("podNetwork", podNetwork)
        object.add("controlPlane", controlPlane)
        return .object(object)
    }
}

extension SwiftletConfiguration.LogLevel: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        guard case .string(let text) = value else {
            throw FieldErrorList(.typeMismatch(expected: "string", got: value))
        }
        guard let level = Self(rawValue: text) else {
            throw FieldErrorList(.unsupportedValue(text, supported: Self.allCases.map(\.rawValue)))
        }
        self = level
    }

    public func encoded() -> JSONValue { .string(rawValue) }

    // Spelled out: a String-backed enum would otherwise get two competing Codable defaults.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        do {
            try self.init(from: value, context: .lax)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try encoded().encode(to: encoder)
    }
}

extension SwiftletConfiguration.Runtime: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "backend": reader.assign(&backend)
            case "ociRuntimePath": reader.assign(&ociRuntimePath)
            case "remoteEndpoint": reader.assign(&remoteEndpoint)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        ["backend": .string(backend), "ociRuntimePath": .string(ociRuntimePath), "remoteEndpoint": .string(remoteEndpoint)]
    }
}

extension SwiftletConfiguration.ControlPlane: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "kubeconfig": reader.assign(&kubeconfig)
            case "bootstrapKubeconfig": reader.assign(&bootstrapKubeconfig)
            case "certDir": reader.assign(&certDir)
            case "nodeLabels": reader.assign(&nodeLabels)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        [
            "kubeconfig": .string(kubeconfig), "bootstrapKubeconfig": .string(bootstrapKubeconfig),
            "certDir": .string(certDir), "nodeLabels": nodeLabels.encoded(),
        ]
    }
}

extension SwiftletConfiguration.Images: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "storeDir": reader.assign(&storeDir)
            case "registryMirrors": reader.assign(&registryMirrors)
            case "insecureRegistries": reader.assign(&insecureRegistries)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        [
            "storeDir": .string(storeDir), "registryMirrors": registryMirrors.encoded(),
            "insecureRegistries": insecureRegistries.encoded(),
        ]
    }
}

extension SwiftletConfiguration.PodNetwork: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "mode": reader.assign(&mode)
            case "bridgeName": reader.assign(&bridgeName)
            case "podCIDRs": reader.assign(&podCIDRs)
            case "mtu": reader.assign(&mtu)
            case "cniConfDir": reader.assign(&cniConfDir)
            case "cniBinDirs": reader.assign(&cniBinDirs)
            case "nodeNetworkNamespace": reader.assign(&nodeNetworkNamespace)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        [
            "mode": .string(mode), "bridgeName": .string(bridgeName), "podCIDRs": podCIDRs.encoded(),
            "mtu": mtu.encoded(), "cniConfDir": .string(cniConfDir), "cniBinDirs": cniBinDirs.encoded(),
            "nodeNetworkNamespace": .string(nodeNetworkNamespace),
        ]
    }
}
