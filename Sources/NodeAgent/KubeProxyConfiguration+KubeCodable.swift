import KubeAPI

extension KubeProxyConfiguration: KubeCodable {
    /// Reads a `KubeProxyConfiguration` document; absent fields keep their defaults, and a
    /// health or metrics address without a port gets upstream's port (10256, 10249).
    ///
    /// - Throws: ``FieldErrorList`` with every bad or unknown field.
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "apiVersion", "kind": reader.readTypeMeta(key, apiVersion: Self.apiVersion, kind: Self.kind)
            case "bindAddress": reader.assignUnlessZero(&bindAddress, zero: "")
            case "healthzBindAddress":
                reader.assignUnlessZero(&healthzBindAddress, zero: "")
                healthzBindAddress = Self.appendingPortIfNeeded(healthzBindAddress, port: 10256)
            case "metricsBindAddress":
                reader.assignUnlessZero(&metricsBindAddress, zero: "")
                metricsBindAddress = Self.appendingPortIfNeeded(metricsBindAddress, port: 10249)
            case "bindAddressHardFail": reader.assign(&bindAddressHardFail)
            case "clusterCIDR": reader.assign(&clusterCIDR)
            case "hostnameOverride": reader.assign(&hostnameOverride)
            case "clientConnection": reader.assign(&clientConnection)
            case "featureGates": reader.assign(&featureGates)
            case "mode": reader.assignUnlessZero(&mode, zero: "")
            case "nftables": reader.assign(&nftables)
            case "nodePortAddresses": reader.assign(&nodePortAddresses)
            case "conntrack": reader.assign(&conntrack)
            case "configSyncPeriod": reader.assignUnlessZero(&configSyncPeriod, zero: .zero)
            case "detectLocalMode": reader.assignUnlessZero(&detectLocalMode, zero: "")
            case "detectLocal": reader.assign(&detectLocal)
            case "oomScoreAdj": reader.assign(&oomScoreAdj)
            case "portRange": reader.assign(&portRange)
            case "logging": reader.assign(&logging)
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
        object.add("bindAddress", bindAddress)
        object.add("healthzBindAddress", healthzBindAddress)
        object.add("metricsBindAddress", metricsBindAddress)
        object.add("bindAddressHardFail", bindAddressHardFail)
        object.add("clusterCIDR", clusterCIDR)
        object.add("hostnameOverride", hostnameOverride)
        object.add("clientConnection", clientConnection)
        object.add("featureGates", featureGates)
        object.add("mode", mode)
        object.add("nftables", nftables)
        object.add("nodePortAddresses", nodePortAddresses)
        object.add("conntrack", conntrack)
        object.add("configSyncPeriod", configSyncPeriod)
        object.add("detectLocalMode", detectLocalMode)
        object.add("detectLocal", detectLocal)
        object.add("oomScoreAdj", oomScoreAdj)
        object.add("portRange", portRange)
        object.add("logging", logging)
        return .object(object)
    }

    /// Upstream's `AppendPortIfNeeded`: `ip` becomes `ip:port`, `[v6]` and bare IPv6 become
    /// `[v6]:port`; an address that already has a port (or is not an IP) is left alone.
    static func appendingPortIfNeeded(_ address: String, port: Int) -> String {
        if NetworkText.isIPAddress(address) {
            return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        if address.hasPrefix("["), address.hasSuffix("]"), NetworkText.isIPAddress(String(address.dropFirst().dropLast())) {
            return "\(address):\(port)"
        }
        return address
    }
}

extension KubeProxyConfiguration.ClientConnection: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "kubeconfig": reader.assign(&kubeconfig)
            case "qps": reader.assignUnlessZero(&qps, zero: 0)
            case "burst": reader.assignUnlessZero(&burst, zero: 0)
            // Upstream fields that only choose wire formats swiftlet picks itself.
            case "acceptContentTypes", "contentType": break
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        ["kubeconfig": .string(kubeconfig), "qps": qps.encoded(), "burst": burst.encoded()]
    }
}

extension KubeProxyConfiguration.NFTables: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "masqueradeAll": reader.assign(&masqueradeAll)
            case "masqueradeBit": reader.assign(&masqueradeBit)
            case "minSyncPeriod": reader.assignUnlessZero(&minSyncPeriod, zero: .zero)
            case "syncPeriod": reader.assignUnlessZero(&syncPeriod, zero: .zero)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        [
            "masqueradeAll": .bool(masqueradeAll), "masqueradeBit": masqueradeBit.encoded(),
            "minSyncPeriod": minSyncPeriod.encoded(), "syncPeriod": syncPeriod.encoded(),
        ]
    }
}

extension KubeProxyConfiguration.Conntrack: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "maxPerCore": reader.assign(&maxPerCore)
            case "min": reader.assign(&min)
            case "tcpEstablishedTimeout": reader.assign(&tcpEstablishedTimeout)
            case "tcpCloseWaitTimeout": reader.assign(&tcpCloseWaitTimeout)
            case "tcpBeLiberal": reader.assign(&tcpBeLiberal)
            case "udpTimeout": reader.assign(&udpTimeout)
            case "udpStreamTimeout": reader.assign(&udpStreamTimeout)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        [
            "maxPerCore": maxPerCore.encoded(), "min": min.encoded(),
            "tcpEstablishedTimeout": tcpEstablishedTimeout.encoded(),
            "tcpCloseWaitTimeout": tcpCloseWaitTimeout.encoded(), "tcpBeLiberal": .bool(tcpBeLiberal),
            "udpTimeout": udpTimeout.encoded(), "udpStreamTimeout": udpStreamTimeout.encoded(),
        ]
    }
}

extension KubeProxyConfiguration.DetectLocal: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "bridgeInterface": reader.assign(&bridgeInterface)
            case "interfaceNamePrefix": reader.assign(&interfaceNamePrefix)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        ["bridgeInterface": .string(bridgeInterface), "interfaceNamePrefix": .string(interfaceNamePrefix)]
    }
}
