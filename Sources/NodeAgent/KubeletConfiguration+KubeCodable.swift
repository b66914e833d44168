import KubeAPI

extension KubeletConfiguration: KubeCodable {
    /// Reads a `KubeletConfiguration` document; absent fields keep their defaults and, as
    /// upstream's defaulting does, so do zero values of fields upstream does not make pointers.
    ///
    /// - Throws: ``FieldErrorList`` with every bad or unknown field.
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        var updateFrequencyGiven = false
        var reportFrequencyGiven = false
        while let key = reader.nextKey() {
            switch key {
            case "apiVersion", "kind": reader.readTypeMeta(key, apiVersion: Self.apiVersion, kind: Self.kind)
            case "enableServer": reader.assign(&enableServer)
            case "address": reader.assignUnlessZero(&address, zero: "")
            case "port": reader.assignUnlessZero(&port, zero: 0)
            case "readOnlyPort": reader.assign(&readOnlyPort)
            case "healthzBindAddress": reader.assignUnlessZero(&healthzBindAddress, zero: "")
            case "healthzPort": reader.assign(&healthzPort)
            case "tlsCertFile": reader.assign(&tlsCertFile)
            case "tlsPrivateKeyFile": reader.assign(&tlsPrivateKeyFile)
            case "tlsCipherSuites": reader.assign(&tlsCipherSuites)
            case "tlsMinVersion": reader.assign(&tlsMinVersion)
            case "rotateCertificates": reader.assign(&rotateCertificates)
            case "serverTLSBootstrap": reader.assign(&serverTLSBootstrap)
            case "authentication": reader.assign(&authentication)
            case "authorization": reader.assign(&authorization)
            case "enableDebuggingHandlers": reader.assign(&enableDebuggingHandlers)
            case "streamingConnectionIdleTimeout": reader.assignUnlessZero(&streamingConnectionIdleTimeout, zero: .zero)
            case "staticPodPath": reader.assign(&staticPodPath)
            case "fileCheckFrequency": reader.assignUnlessZero(&fileCheckFrequency, zero: .zero)
            case "staticPodURL": reader.assign(&staticPodURL)
            case "staticPodURLHeader": reader.assign(&staticPodURLHeader)
            case "httpCheckFrequency": reader.assignUnlessZero(&httpCheckFrequency, zero: .zero)
            case "syncFrequency": reader.assignUnlessZero(&syncFrequency, zero: .zero)
            case "registerNode": reader.assign(&registerNode)
            case "registerWithTaints": reader.assign(&registerWithTaints)
            case "nodeLabels": reader.assign(&nodeLabels)
            case "providerID": reader.assign(&providerID)
            case "nodeStatusUpdateFrequency":
                reader.assignUnlessZero(&nodeStatusUpdateFrequency, zero: .zero)
                updateFrequencyGiven = nodeStatusUpdateFrequency != KubeletConfiguration().nodeStatusUpdateFrequency
            case "nodeStatusReportFrequency":
                reader.assignUnlessZero(&nodeStatusReportFrequency, zero: .zero)
                reportFrequencyGiven = nodeStatusReportFrequency != KubeletConfiguration().nodeStatusReportFrequency
            case "nodeLeaseDurationSeconds": reader.assignUnlessZero(&nodeLeaseDurationSeconds, zero: 0)
            case "nodeStatusMaxImages": reader.assign(&nodeStatusMaxImages)
            case "kubeAPIQPS": reader.assign(&kubeAPIQPS)
            case "kubeAPIBurst": reader.assignUnlessZero(&kubeAPIBurst, zero: 0)
            case "eventRecordQPS": reader.assign(&eventRecordQPS)
            case "eventBurst": reader.assignUnlessZero(&eventBurst, zero: 0)
            case "maxPods": reader.assignUnlessZero(&maxPods, zero: 0)
            case "podCIDR": reader.assign(&podCIDR)
            case "podPidsLimit": reader.assign(&podPidsLimit)
            case "clusterDomain": reader.assign(&clusterDomain)
            case "clusterDNS": reader.assign(&clusterDNS)
            case "resolvConf": reader.assign(&resolvConf)
            case "runtimeRequestTimeout": reader.assignUnlessZero(&runtimeRequestTimeout, zero: .zero)
            case "serializeImagePulls": reader.assign(&serializeImagePulls)
            case "maxParallelImagePulls": reader.assign(&maxParallelImagePulls)
            case "registryPullQPS": reader.assign(&registryPullQPS)
            case "registryBurst": reader.assignUnlessZero(&registryBurst, zero: 0)
            case "seccompDefault": reader.assign(&seccompDefault)
            case "podLogsDir": reader.assignUnlessZero(&podLogsDir, zero: "")
            case "containerLogMaxSize": reader.assignUnlessZero(&containerLogMaxSize, zero: "")
            case "containerLogMaxFiles": reader.assign(&containerLogMaxFiles)
            case "containerLogMaxWorkers": reader.assign(&containerLogMaxWorkers)
            case "containerLogMonitorInterval": reader.assign(&containerLogMonitorInterval)
            case "maxOpenFiles": reader.assignUnlessZero(&maxOpenFiles, zero: 0)
            case "oomScoreAdj": reader.assign(&oomScoreAdj)
            case "imageMinimumGCAge": reader.assignUnlessZero(&imageMinimumGCAge, zero: .zero)
            case "imageMaximumGCAge": reader.assign(&imageMaximumGCAge)
            case "imageGCHighThresholdPercent": reader.assign(&imageGCHighThresholdPercent)
            case "imageGCLowThresholdPercent": reader.assign(&imageGCLowThresholdPercent)
            case "cgroupsPerQOS": reader.assign(&cgroupsPerQOS)
            case "cgroupDriver": reader.assignUnlessZero(&cgroupDriver, zero: "")
            case "cgroupRoot": reader.assign(&cgroupRoot)
            case "cpuCFSQuota": reader.assign(&cpuCFSQuota)
            case "cpuCFSQuotaPeriod": reader.assign(&cpuCFSQuotaPeriod)
            case "systemReserved": reader.assign(&systemReserved)
            case "kubeReserved": reader.assign(&kubeReserved)
            case "systemReservedCgroup": reader.assign(&systemReservedCgroup)
            case "kubeReservedCgroup": reader.assign(&kubeReservedCgroup)
            case "enforceNodeAllocatable": reader.assign(&enforceNodeAllocatable)
            case "failSwapOn": reader.assign(&failSwapOn)
            case "memorySwap": reader.assign(&memorySwap)
            case "localStorageCapacityIsolation": reader.assign(&localStorageCapacityIsolation)
            case "evictionHard": reader.assign(&evictionHard)
            case "evictionSoft": reader.assign(&evictionSoft)
            case "evictionSoftGracePeriod": reader.assign(&evictionSoftGracePeriod)
            case "evictionPressureTransitionPeriod":
                reader.assignUnlessZero(&evictionPressureTransitionPeriod, zero: .zero)
            case "evictionMaxPodGracePeriod": reader.assign(&evictionMaxPodGracePeriod)
            case "evictionMinimumReclaim": reader.assign(&evictionMinimumReclaim)
            case "shutdownGracePeriod": reader.assign(&shutdownGracePeriod)
            case "shutdownGracePeriodCriticalPods": reader.assign(&shutdownGracePeriodCriticalPods)
            case "featureGates": reader.assign(&featureGates)
            case "logging": reader.assign(&logging)
            default: reader.unknownField()
            }
        }
        // Upstream: a node that updates its status at a set frequency and gives no report
        // frequency reports as often as it updates.
        if updateFrequencyGiven && !reportFrequencyGiven {
            nodeStatusReportFrequency = nodeStatusUpdateFrequency
        }
        try reader.finish()
    }

    /// Every field, defaults included: the effective configuration.
    public func encoded() -> JSONValue {
        var object = JSONObject()
        object.add("apiVersion", Self.apiVersion)
        object.add("kind", Self.kind)
        object.add("enableServer", enableServer)
        object.add("address", address)
        object.add("port", port)
        object.add("readOnlyPort", readOnlyPort)
        object.add("healthzBindAddress", healthzBindAddress)
        object.add("healthzPort", healthzPort)
        object.add("tlsCertFile", tlsCertFile)
        object.add("tlsPrivateKeyFile", tlsPrivateKeyFile)
        object.add("tlsCipherSuites", tlsCipherSuites)
        object.add("tlsMinVersion", tlsMinVersion)
        object.add("rotateCertificates", rotateCertificates)
        object.add("serverTLSBootstrap", serverTLSBootstrap)
        object.add("authentication", authentication)
        object.add("authorization", authorization)
        object.add("enableDebuggingHandlers", enableDebuggingHandlers)
        object.add("streamingConnectionIdleTimeout", streamingConnectionIdleTimeout)
        object.add("staticPodPath", staticPodPath)
        object.add("fileCheckFrequency", fileCheckFrequency)
        object.add("staticPodURL", staticPodURL)
        object.add("staticPodURLHeader", staticPodURLHeader)
        object.add("httpCheckFrequency", httpCheckFrequency)
        object.add("syncFrequency", syncFrequency)
        object.add("registerNode", registerNode)
        object.add("registerWithTaints", registerWithTaints)
        object.add("nodeLabels", nodeLabels)
        object.add("providerID", providerID)
        object.add("nodeStatusUpdateFrequency", nodeStatusUpdateFrequency)
        object.add("nodeStatusReportFrequency", nodeStatusReportFrequency)
        object.add("nodeLeaseDurationSeconds", nodeLeaseDurationSeconds)
        object.add("nodeStatusMaxImages", nodeStatusMaxImages)
        object.add("kubeAPIQPS", kubeAPIQPS)
        object.add("kubeAPIBurst", kubeAPIBurst)
        object.add("eventRecordQPS", eventRecordQPS)
        object.add("eventBurst", eventBurst)
        object.add("maxPods", maxPods)
        object.add("podCIDR", podCIDR)
        object.add("podPidsLimit", podPidsLimit)
        object.add("clusterDomain", clusterDomain)
        object.add("clusterDNS", clusterDNS)
        object.add("resolvConf", resolvConf)
        object.add("runtimeRequestTimeout", runtimeRequestTimeout)
        object.add("serializeImagePulls", serializeImagePulls)
        object.put("maxParallelImagePulls", maxParallelImagePulls)
        object.add("registryPullQPS", registryPullQPS)
        object.add("registryBurst", registryBurst)
        object.add("seccompDefault", seccompDefault)
        object.add("podLogsDir", podLogsDir)
        object.add("containerLogMaxSize", containerLogMaxSize)
        object.add("containerLogMaxFiles", containerLogMaxFiles)
        object.add("containerLogMaxWorkers", containerLogMaxWorkers)
        object.add("containerLogMonitorInterval", containerLogMonitorInterval)
        object.add("maxOpenFiles", maxOpenFiles)
        object.add("oomScoreAdj", oomScoreAdj)
        object.add("imageMinimumGCAge", imageMinimumGCAge)
        object.add("imageMaximumGCAge", imageMaximumGCAge)
        object.add("imageGCHighThresholdPercent", imageGCHighThresholdPercent)
        object.add("imageGCLowThresholdPercent", imageGCLowThresholdPercent)
        object.add("cgroupsPerQOS", cgroupsPerQOS)
        object.add("cgroupDriver", cgroupDriver)
        object.add("cgroupRoot", cgroupRoot)
        object.add("cpuCFSQuota", cpuCFSQuota)
        object.add("cpuCFSQuotaPeriod", cpuCFSQuotaPeriod)
        object.add("systemReserved", systemReserved)
        object.add("kubeReserved", kubeReserved)
        object.add("systemReservedCgroup", systemReservedCgroup)
        object.add("kubeReservedCgroup", kubeReservedCgroup)
        object.add("enforceNodeAllocatable", enforceNodeAllocatable)
        object.add("failSwapOn", failSwapOn)
        object.add("memorySwap", memorySwap)
        object.add("localStorageCapacityIsolation", localStorageCapacityIsolation)
        object.add("evictionHard", evictionHard)
        object.add("evictionSoft", evictionSoft)
        object.add("evictionSoftGracePeriod", evictionSoftGracePeriod)
        object.add("evictionPressureTransitionPeriod", evictionPressureTransitionPeriod)
        object.add("evictionMaxPodGracePeriod", evictionMaxPodGracePeriod)
        object.add("evictionMinimumReclaim", evictionMinimumReclaim)
        object.add("shutdownGracePeriod", shutdownGracePeriod)
        object.add("shutdownGracePeriodCriticalPods", shutdownGracePeriodCriticalPods)
        object.add("featureGates", featureGates)
        object.add("logging", logging)
        return .object(object)
    }
}

extension KubeletConfiguration.Authentication: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "x509":
                reader.nested(key) { (inner: inout ObjectReader, innerKey: String) in
                    guard innerKey == "clientCAFile" else { return false }
                    inner.assign(&x509ClientCAFile)
                    return true
                }
            case "webhook":
                reader.nested(key) { (inner: inout ObjectReader, innerKey: String) in
                    switch innerKey {
                    case "enabled": inner.assign(&webhookEnabled)
                    case "cacheTTL": inner.assignUnlessZero(&webhookCacheTTL, zero: .zero)
                    default: return false
                    }
                    return true
                }
            case "anonymous":
                reader.nested(key) { (inner: inout ObjectReader, innerKey: String) in
                    guard innerKey == "enabled" else { return false }
                    inner.assign(&anonymousEnabled)
                    return true
                }
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        [
            "x509": ["clientCAFile": .string(x509ClientCAFile)],
            "webhook": ["enabled": .bool(webhookEnabled), "cacheTTL": webhookCacheTTL.encoded()],
            "anonymous": ["enabled": .bool(anonymousEnabled)],
        ]
    }
}

extension KubeletConfiguration.Authorization: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "mode": reader.assignUnlessZero(&mode, zero: "")
            case "webhook":
                reader.nested(key) { (inner: inout ObjectReader, innerKey: String) in
                    switch innerKey {
                    case "cacheAuthorizedTTL": inner.assignUnlessZero(&webhookCacheAuthorizedTTL, zero: .zero)
                    case "cacheUnauthorizedTTL": inner.assignUnlessZero(&webhookCacheUnauthorizedTTL, zero: .zero)
                    default: return false
                    }
                    return true
                }
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        [
            "mode": .string(mode),
            "webhook": [
                "cacheAuthorizedTTL": webhookCacheAuthorizedTTL.encoded(),
                "cacheUnauthorizedTTL": webhookCacheUnauthorizedTTL.encoded(),
            ],
        ]
    }
}

extension KubeletConfiguration.MemorySwap: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "swapBehavior": reader.assign(&swapBehavior)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue { ["swapBehavior": .string(swapBehavior)] }
}

extension KubeletConfiguration.Taint: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        var key = "", value_ = "", effect = ""
        var reader = try ObjectReader(value, context: context)
        var sawKey = false, sawEffect = false
        while let name = reader.nextKey() {
            switch name {
            case "key": reader.assign(&key); sawKey = true
            case "value": reader.assign(&value_)
            case "effect": reader.assign(&effect); sawEffect = true
            case "timeAdded": break  // set by the API server; accepted and not kept
            default: reader.unknownField()
            }
        }
        if !sawKey { reader.missing("key") }
        if !sawEffect { reader.missing("effect") }
        try reader.finish()
        self.init(key: key, value: value_, effect: effect)
    }

    public func encoded() -> JSONValue {
        ["key": .string(key), "value": .string(value), "effect": .string(effect)]
    }
}

extension LoggingConfiguration: KubeCodable {
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        self.init()
        var reader = try ObjectReader(value, context: context)
        while let key = reader.nextKey() {
            switch key {
            case "format": reader.assignUnlessZero(&format, zero: "")
            case "flushFrequency": reader.assignUnlessZero(&flushFrequency, zero: .zero)
            case "verbosity": reader.assign(&verbosity)
            default: reader.unknownField()
            }
        }
        try reader.finish()
    }

    public func encoded() -> JSONValue {
        ["format": .string(format), "flushFrequency": flushFrequency.encoded(), "verbosity": verbosity.encoded()]
    }
}
