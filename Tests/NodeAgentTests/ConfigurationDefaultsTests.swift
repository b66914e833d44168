import KubeAPI
import Testing

@testable import NodeAgent

/// The defaults are upstream's: `pkg/kubelet/apis/config/v1beta1/defaults.go`,
/// `defaults_linux.go` and `pkg/proxy/apis/config/v1alpha1/defaults.go`.
@Suite struct ConfigurationDefaultsTests {
    @Test func kubeletDefaultsEqualUpstreamDefaults() {
        let kubelet = KubeletConfiguration()
        #expect(kubelet.enableServer)
        #expect(kubelet.address == "0.0.0.0")
        #expect(kubelet.port == 10250)
        #expect(kubelet.readOnlyPort == 0)
        #expect(kubelet.healthzBindAddress == "127.0.0.1")
        #expect(kubelet.healthzPort == 10248)
        #expect(kubelet.syncFrequency == .minutes(1))
        #expect(kubelet.fileCheckFrequency == .seconds(20))
        #expect(kubelet.httpCheckFrequency == .seconds(20))
        #expect(kubelet.nodeStatusUpdateFrequency == .seconds(10))
        #expect(kubelet.nodeStatusReportFrequency == .minutes(5))
        #expect(kubelet.nodeLeaseDurationSeconds == 40)
        #expect(kubelet.imageMinimumGCAge == .minutes(2))
        #expect(kubelet.imageGCHighThresholdPercent == 85)
        #expect(kubelet.imageGCLowThresholdPercent == 80)
        #expect(kubelet.maxPods == 110)
        #expect(kubelet.podPidsLimit == -1)
        #expect(kubelet.cgroupDriver == "cgroupfs")
        #expect(kubelet.cgroupsPerQOS)
        #expect(kubelet.resolvConf == "/etc/resolv.conf")
        #expect(kubelet.runtimeRequestTimeout == .minutes(2))
        #expect(kubelet.serializeImagePulls)
        #expect(kubelet.registryPullQPS == 5)
        #expect(kubelet.registryBurst == 10)
        #expect(kubelet.eventRecordQPS == 50)
        #expect(kubelet.eventBurst == 100)
        #expect(kubelet.kubeAPIQPS == 50)
        #expect(kubelet.kubeAPIBurst == 100)
        #expect(kubelet.maxOpenFiles == 1_000_000)
        #expect(kubelet.containerLogMaxSize == "10Mi")
        #expect(kubelet.containerLogMaxFiles == 5)
        #expect(kubelet.containerLogMaxWorkers == 1)
        #expect(kubelet.containerLogMonitorInterval == .seconds(10))
        #expect(kubelet.enforceNodeAllocatable == ["pods"])
        #expect(kubelet.registerNode)
        #expect(kubelet.failSwapOn)
        #expect(kubelet.oomScoreAdj == -999)
        #expect(kubelet.streamingConnectionIdleTimeout == .hours(4))
        #expect(kubelet.cpuCFSQuota)
        #expect(kubelet.cpuCFSQuotaPeriod == .milliseconds(100))
        #expect(kubelet.nodeStatusMaxImages == 50)
        #expect(kubelet.evictionPressureTransitionPeriod == .minutes(5))
        #expect(kubelet.podLogsDir == "/var/log/pods")
        #expect(kubelet.authentication.anonymousEnabled == false)
        #expect(kubelet.authentication.webhookEnabled)
        #expect(kubelet.authentication.webhookCacheTTL == .minutes(2))
        #expect(kubelet.authorization.mode == "Webhook")
        #expect(kubelet.authorization.webhookCacheAuthorizedTTL == .minutes(5))
        #expect(kubelet.authorization.webhookCacheUnauthorizedTTL == .seconds(30))
        #expect(kubelet.evictionHard == [
            "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%",
            "imagefs.available": "15%", "imagefs.inodesFree": "5%",
        ])
        #expect(kubelet.logging.format == "text")
    }

    @Test func kubeProxyDefaultsEqualUpstreamDefaults() {
        let proxy = KubeProxyConfiguration()
        #expect(proxy.bindAddress == "0.0.0.0")
        #expect(proxy.healthzBindAddress == "0.0.0.0:10256")
        #expect(proxy.metricsBindAddress == "127.0.0.1:10249")
        #expect(proxy.oomScoreAdj == -999)
        #expect(proxy.nftables.masqueradeBit == 14)
        #expect(proxy.nftables.minSyncPeriod == .seconds(1))
        #expect(proxy.nftables.syncPeriod == .seconds(30))
        #expect(proxy.conntrack.maxPerCore == 32 * 1024)
        #expect(proxy.conntrack.min == 128 * 1024)
        #expect(proxy.conntrack.tcpEstablishedTimeout == .hours(24))
        #expect(proxy.conntrack.tcpCloseWaitTimeout == .hours(1))
        #expect(proxy.configSyncPeriod == .minutes(15))
        #expect(proxy.clientConnection.qps == 5)
        #expect(proxy.clientConnection.burst == 10)
        #expect(proxy.mode == "nftables")
    }

    @Test func anEmptyFileMeansEveryDefault() throws {
        let configuration = try NodeConfiguration.parse("", file: "empty.yaml")
        #expect(configuration.kubelet == KubeletConfiguration())
        #expect(configuration.proxy == KubeProxyConfiguration())
        #expect(configuration.swiftlet == SwiftletConfiguration())
    }

    @Test func zeroValuesOfNonPointerFieldsTakeTheDefaultAsUpstreamDoes() throws {
        let configuration = try NodeConfiguration.parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            port: 0
            syncFrequency: 0s
            maxPods: 0
            readOnlyPort: 0
            """, file: "zero.yaml")
        #expect(configuration.kubelet.port == 10250)
        #expect(configuration.kubelet.syncFrequency == .minutes(1))
        #expect(configuration.kubelet.maxPods == 110)
    }

    @Test func anExplicitUpdateFrequencyAlsoSetsTheReportFrequency() throws {
        let configuration = try NodeConfiguration.parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            nodeStatusUpdateFrequency: 20s
            """, file: "status.yaml")
        #expect(configuration.kubelet.nodeStatusReportFrequency == .seconds(20))
    }

    @Test func aProxyAddressWithoutPortGetsUpstreamsPort() throws {
        let configuration = try NodeConfiguration.parse(
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            healthzBindAddress: 127.0.0.1
            metricsBindAddress: "::1"
            """, file: "proxy.yaml")
        #expect(configuration.proxy.healthzBindAddress == "127.0.0.1:10256")
        #expect(configuration.proxy.metricsBindAddress == "[::1]:10249")
    }

    @Test func printedDefaultsReadBackAsTheDefaults() throws {
        let text = NodeConfiguration.defaults.yaml()
        let reread = try NodeConfiguration.parse(text, file: "defaults.yaml")
        #expect(reread.kubelet == NodeConfiguration.defaults.kubelet)
        #expect(reread.proxy == NodeConfiguration.defaults.proxy)
        #expect(reread.swiftlet == NodeConfiguration.defaults.swiftlet)
    }

    @Test(arguments: ["Config/swiftlet.yaml", "Config/standalone.yaml"])
    func shippedConfigurationFilesAreValid(relativePath: String) throws {
        let configuration = try NodeConfiguration.load(path: Repository.root + "/" + relativePath)
        #expect(configuration.proxy.mode == "nftables")
    }
}
