import KubeAPI

extension KubeletConfiguration {
    /// The eviction signals upstream knows on Linux.
    static let evictionSignals = [
        "memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree",
        "containerfs.available", "containerfs.inodesFree", "pid.available", "allocatableMemory.available",
    ]

    /// Every value problem of the configuration, with paths from the document root (upstream's
    /// `ValidateKubeletConfiguration`, for the fields swiftlet supports).
    public func validate() -> [FieldError] {
        var checks = FieldChecks()
        checks.ipAddress(address, FieldPath("address"))
        checks.port(port, FieldPath("port"), allowZero: false)
        checks.port(readOnlyPort, FieldPath("readOnlyPort"), allowZero: true)
        checks.ipAddress(healthzBindAddress, FieldPath("healthzBindAddress"))
        checks.port(healthzPort, FieldPath("healthzPort"), allowZero: true)
        if !tlsMinVersion.isEmpty {
            checks.oneOf(tlsMinVersion, ["VersionTLS12", "VersionTLS13"], FieldPath("tlsMinVersion"))
        }
        if tlsCertFile.isEmpty != tlsPrivateKeyFile.isEmpty {
            checks.fail(FieldPath(tlsCertFile.isEmpty ? "tlsCertFile" : "tlsPrivateKeyFile"),
                "tlsCertFile and tlsPrivateKeyFile must be given together")
        }
        checks.oneOf(authorization.mode, ["AlwaysAllow", "Webhook"], FieldPath("authorization", "mode"))
        checks.nonNegative(authentication.webhookCacheTTL, FieldPath("authentication", "webhook", "cacheTTL"))
        checks.nonNegative(authorization.webhookCacheAuthorizedTTL, FieldPath("authorization", "webhook", "cacheAuthorizedTTL"))
        checks.nonNegative(authorization.webhookCacheUnauthorizedTTL, FieldPath("authorization", "webhook", "cacheUnauthorizedTTL"))
        checks.absolutePath(staticPodPath, FieldPath("staticPodPath"), allowEmpty: true)
        if !staticPodURL.isEmpty && !(staticPodURL.hasPrefix("http://") || staticPodURL.hasPrefix("https://")) {
            checks.fail(FieldPath("staticPodURL"), "invalid URL \(quotedText(staticPodURL)): expected an http:// or https:// URL")
        }

        let durations: [(GoDuration, String)] = [
            (streamingConnectionIdleTimeout, "streamingConnectionIdleTimeout"),
            (fileCheckFrequency, "fileCheckFrequency"), (httpCheckFrequency, "httpCheckFrequency"),
            (syncFrequency, "syncFrequency"), (nodeStatusUpdateFrequency, "nodeStatusUpdateFrequency"),
            (nodeStatusReportFrequency, "nodeStatusReportFrequency"), (runtimeRequestTimeout, "runtimeRequestTimeout"),
            (containerLogMonitorInterval, "containerLogMonitorInterval"), (imageMinimumGCAge, "imageMinimumGCAge"),
            (imageMaximumGCAge, "imageMaximumGCAge"), (cpuCFSQuotaPeriod, "cpuCFSQuotaPeriod"),
            (evictionPressureTransitionPeriod, "evictionPressureTransitionPeriod"),
            (shutdownGracePeriod, "shutdownGracePeriod"), (shutdownGracePeriodCriticalPods, "shutdownGracePeriodCriticalPods"),
        ]
        for (value, name) in durations {
            checks.nonNegative(value, FieldPath(name))
        }
        if imageMaximumGCAge != .zero && imageMaximumGCAge <= imageMinimumGCAge {
            checks.fail(FieldPath("imageMaximumGCAge"),
                "imageMaximumGCAge \(imageMaximumGCAge) must be greater than imageMinimumGCAge \(imageMinimumGCAge)")
        }
        if shutdownGracePeriodCriticalPods > shutdownGracePeriod {
            checks.fail(FieldPath("shutdownGracePeriodCriticalPods"),
                "shutdownGracePeriodCriticalPods \(shutdownGracePeriodCriticalPods) must not exceed shutdownGracePeriod \(shutdownGracePeriod)")
        }

        checks.atLeast(nodeLeaseDurationSeconds, 1, FieldPath("nodeLeaseDurationSeconds"))
        checks.atLeast(nodeStatusMaxImages, -1, FieldPath("nodeStatusMaxImages"))
        checks.atLeast(kubeAPIQPS, 0, FieldPath("kubeAPIQPS"))
        checks.atLeast(kubeAPIBurst, 0, FieldPath("kubeAPIBurst"))
        checks.atLeast(eventRecordQPS, 0, FieldPath("eventRecordQPS"))
        checks.atLeast(eventBurst, 0, FieldPath("eventBurst"))
        checks.atLeast(registryPullQPS, 0, FieldPath("registryPullQPS"))
        checks.atLeast(registryBurst, 0, FieldPath("registryBurst"))
        checks.atLeast(maxPods, 0, FieldPath("maxPods"))
        checks.atLeast(podPidsLimit, -1, FieldPath("podPidsLimit"))
        checks.atLeast(maxOpenFiles, 1, FieldPath("maxOpenFiles"))
        checks.atLeast(evictionMaxPodGracePeriod, 0, FieldPath("evictionMaxPodGracePeriod"))
        checks.inRange(oomScoreAdj, -1000...1000, FieldPath("oomScoreAdj"))
        if let maxParallelImagePulls {
            checks.atLeast(maxParallelImagePulls, 1, FieldPath("maxParallelImagePulls"))
            if serializeImagePulls && maxParallelImagePulls > 1 {
                checks.fail(FieldPath("maxParallelImagePulls"),
                    "maxParallelImagePulls \(maxParallelImagePulls) needs serializeImagePulls: false")
            }
        }

        checks.percent(imageGCHighThresholdPercent, FieldPath("imageGCHighThresholdPercent"))
        checks.percent(imageGCLowThresholdPercent, FieldPath("imageGCLowThresholdPercent"))
        if imageGCLowThresholdPercent >= imageGCHighThresholdPercent {
            checks.fail(FieldPath("imageGCLowThresholdPercent"),
                "imageGCLowThresholdPercent (\(imageGCLowThresholdPercent)) must be less than imageGCHighThresholdPercent (\(imageGCHighThresholdPercent))")
        }

        if !podCIDR.isEmpty { checks.cidr(podCIDR, FieldPath("podCIDR")) }
        for (index, server) in clusterDNS.enumerated() {
            checks.ipAddress(server, FieldPath("clusterDNS").index(index))
        }
        checks.absolutePath(resolvConf, FieldPath("resolvConf"), allowEmpty: true)
        checks.absolutePath(podLogsDir, FieldPath("podLogsDir"))
        checks.quantity(containerLogMaxSize, FieldPath("containerLogMaxSize"))
        checks.atLeast(containerLogMaxFiles, 2, FieldPath("containerLogMaxFiles"))
        checks.atLeast(containerLogMaxWorkers, 1, FieldPath("containerLogMaxWorkers"))
        if containerLogMonitorInterval < .seconds(3) {
            checks.fail(FieldPath("containerLogMonitorInterval"),
                "invalid duration \(containerLogMonitorInterval): must be at least 3s, as the kubelet requires")
        }

        checks.oneOf(cgroupDriver, ["cgroupfs", "systemd"], FieldPath("cgroupDriver"))
        if !cgroupsPerQOS && !enforceNodeAllocatable.filter({ $0 != "none" }).isEmpty {
            checks.fail(FieldPath("enforceNodeAllocatable"), "enforcing node allocatable needs cgroupsPerQOS: true")
        }
        for (index, value) in enforceNodeAllocatable.enumerated() {
            checks.oneOf(value, ["pods", "system-reserved", "kube-reserved", "none"], FieldPath("enforceNodeAllocatable").index(index))
        }
        if enforceNodeAllocatable.contains("none") && enforceNodeAllocatable.count > 1 {
            checks.fail(FieldPath("enforceNodeAllocatable"), "\"none\" cannot be combined with other values")
        }
        let reservable = ["cpu", "memory", "ephemeral-storage", "pid"]
        for (name, reserved) in [("systemReserved", systemReserved), ("kubeReserved", kubeReserved)] {
            for key in reserved.keys.sorted() {
                checks.oneOf(key, reservable, FieldPath(name).key(key))
                checks.quantity(reserved[key]!, FieldPath(name).key(key))
            }
        }
        if !memorySwap.swapBehavior.isEmpty {
            checks.oneOf(memorySwap.swapBehavior, ["NoSwap", "LimitedSwap"], FieldPath("memorySwap", "swapBehavior"))
        }

        for (name, thresholds) in [("evictionHard", evictionHard), ("evictionSoft", evictionSoft), ("evictionMinimumReclaim", evictionMinimumReclaim)] {
            for signal in thresholds.keys.sorted() {
                checks.oneOf(signal, Self.evictionSignals, FieldPath(name).key(signal))
                checks.quantityOrPercentage(thresholds[signal]!, FieldPath(name).key(signal))
            }
        }
        for signal in evictionSoftGracePeriod.keys.sorted() {
            let path = FieldPath("evictionSoftGracePeriod").key(signal)
            checks.oneOf(signal, Self.evictionSignals, path)
            do {
                checks.nonNegative(try GoDuration(parsing: evictionSoftGracePeriod[signal]!), path)
            } catch {
                checks.fail(path, error.description)
            }
        }
        for signal in evictionSoft.keys.sorted() where evictionSoftGracePeriod[signal] == nil {
            checks.fail(FieldPath("evictionSoftGracePeriod"), "soft eviction threshold \(quotedText(signal)) needs a grace period")
        }

        for (index, taint) in registerWithTaints.enumerated() {
            let path = FieldPath("registerWithTaints").index(index)
            if taint.key.isEmpty { checks.fail(path.child("key"), "required value") }
            checks.oneOf(taint.effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"], path.child("effect"))
        }
        checks.oneOf(logging.format, ["text", "json"], FieldPath("logging", "format"))
        checks.atLeast(logging.verbosity, 0, FieldPath("logging", "verbosity"))
        checks.nonNegative(logging.flushFrequency, FieldPath("logging", "flushFrequency"))
        return checks.errors
    }
}
