import KubeAPI

extension KubeProxyConfiguration {
    /// Every value problem of the configuration, with paths from the document root (upstream's
    /// `ValidateKubeProxyConfiguration`, for the fields swiftlet supports).
    public func validate() -> [FieldError] {
        var checks = FieldChecks()
        checks.ipAddress(bindAddress, FieldPath("bindAddress"))
        checks.hostPort(healthzBindAddress, FieldPath("healthzBindAddress"))
        checks.hostPort(metricsBindAddress, FieldPath("metricsBindAddress"))
        if !clusterCIDR.isEmpty {
            for cidr in clusterCIDR.split(separator: ",", omittingEmptySubsequences: false) {
                checks.cidr(cidr.trimmingSpaces(), FieldPath("clusterCIDR"))
            }
        }
        if clientConnection.qps < 0 {
            checks.fail(FieldPath("clientConnection", "qps"), "invalid value \(clientConnection.qps): must not be negative")
        }
        checks.atLeast(clientConnection.burst, 0, FieldPath("clientConnection", "burst"))
        if mode != "nftables" {
            checks.fail(FieldPath("mode"),
                "unsupported value \(quotedText(mode)): swiftlet implements only the \"nftables\" proxy mode")
        }
        checks.inRange(nftables.masqueradeBit, 0...31, FieldPath("nftables", "masqueradeBit"))
        checks.nonNegative(nftables.minSyncPeriod, FieldPath("nftables", "minSyncPeriod"))
        checks.positive(nftables.syncPeriod, FieldPath("nftables", "syncPeriod"))
        if nftables.minSyncPeriod > nftables.syncPeriod {
            checks.fail(FieldPath("nftables", "syncPeriod"),
                "syncPeriod \(nftables.syncPeriod) must be greater than or equal to minSyncPeriod \(nftables.minSyncPeriod)")
        }
        for (index, address) in nodePortAddresses.enumerated() where address != "primary" {
            checks.cidr(address, FieldPath("nodePortAddresses").index(index))
        }
        if nodePortAddresses.contains("primary") && nodePortAddresses.count > 1 {
            checks.fail(FieldPath("nodePortAddresses"), "\"primary\" cannot be combined with CIDRs")
        }
        checks.atLeast(conntrack.maxPerCore, 0, FieldPath("conntrack", "maxPerCore"))
        checks.atLeast(conntrack.min, 0, FieldPath("conntrack", "min"))
        let timeouts: [(GoDuration, String)] = [
            (conntrack.tcpEstablishedTimeout, "tcpEstablishedTimeout"), (conntrack.tcpCloseWaitTimeout, "tcpCloseWaitTimeout"),
            (conntrack.udpTimeout, "udpTimeout"), (conntrack.udpStreamTimeout, "udpStreamTimeout"),
        ]
        for (value, name) in timeouts {
            checks.nonNegative(value, FieldPath("conntrack", name))
        }
        checks.positive(configSyncPeriod, FieldPath("configSyncPeriod"))
        checks.oneOf(detectLocalMode, ["ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix"], FieldPath("detectLocalMode"))
        if detectLocalMode == "BridgeInterface" && detectLocal.bridgeInterface.isEmpty {
            checks.fail(FieldPath("detectLocal", "bridgeInterface"), "required value when detectLocalMode is BridgeInterface")
        }
        if detectLocalMode == "InterfaceNamePrefix" && detectLocal.interfaceNamePrefix.isEmpty {
            checks.fail(FieldPath("detectLocal", "interfaceNamePrefix"), "required value when detectLocalMode is InterfaceNamePrefix")
        }
        checks.inRange(oomScoreAdj, -1000...1000, FieldPath("oomScoreAdj"))
        if !portRange.isEmpty && !Self.isPortRange(portRange) {
            checks.fail(FieldPath("portRange"), "invalid port range \(quotedText(portRange)): expected first-last or first+count")
        }
        checks.oneOf(logging.format, ["text", "json"], FieldPath("logging", "format"))
        checks.atLeast(logging.verbosity, 0, FieldPath("logging", "verbosity"))
        return checks.errors
    }

    /// `first-last` or `first+count`, ports 0–65535, as upstream's `net.ParsePortRange` reads it.
    static func isPortRange(_ text: String) -> Bool {
        let separator: Character = text.contains("+") ? "+" : "-"
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 2, let first = Int(parts[0]), let second = Int(parts[1]),
            (0...65535).contains(first), second >= 0
        else { return false }
        let last = separator == "+" ? first + second : second
        return last <= 65535 && last >= first
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
