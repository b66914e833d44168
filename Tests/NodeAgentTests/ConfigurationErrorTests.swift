import KubeAPI
import Testing

@testable import NodeAgent

@Suite struct ConfigurationErrorTests {
    private func problems(_ text: String) -> ConfigurationError? {
        do {
            _ = try NodeConfiguration.parse(text, file: "node.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func anInvalidValueNamesFileLineAndFieldPath() throws {
        let error = try #require(problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            port: 10250
            imageGCHighThresholdPercent: 120
            """))
        #expect(error.problems.count == 1)
        #expect(error.description.hasPrefix("node.yaml:4: KubeletConfiguration: imageGCHighThresholdPercent: "))
        #expect(error.description.contains("0 to 100"))
    }

    @Test func aNestedBadValueNamesTheNestedPathAndItsLine() throws {
        let error = try #require(problems(
            """
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            podNetwork:
              podCIDRs:
                - 10.88.0.0/16
                - not-a-cidr
            """))
        #expect(error.description.hasPrefix("node.yaml:6: SwiftletConfiguration: podNetwork.podCIDRs[1]: invalid CIDR"))
    }

    @Test func aBootstrapKubeconfigWithoutAKubeconfigPathIsRejected() throws {
        let error = try #require(problems(
            """
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            controlPlane:
              bootstrapKubeconfig: /etc/swiftlet/bootstrap.conf
            """))
        #expect(error.description.contains("SwiftletConfiguration: controlPlane.kubeconfig: required value when bootstrapKubeconfig is set"))
    }

    @Test func anInvalidNodeLabelNamesTheLabelsPath() throws {
        let error = try #require(problems(
            """
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            controlPlane:
              kubeconfig: /etc/swiftlet/kubeconfig
              nodeLabels:
                "bad key!": worker
            """))
        #expect(error.description.contains("SwiftletConfiguration: controlPlane.nodeLabels: "))
        #expect(error.description.contains("bad key!"))
    }

    @Test func anUnknownFieldIsReportedAsNotSupportedBySwiftlet() throws {
        let error = try #require(problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
            """))
        let line = try #require(error.description.split(separator: "\n").first)
        #expect(line.hasPrefix("node.yaml:3: KubeletConfiguration: containerRuntimeEndpoint: unknown field"))
        #expect(line.hasSuffix("not supported by swiftlet"))
    }

    @Test func anUnknownFieldInsideAnInlineObjectHasItsFullPath() throws {
        let error = try #require(problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            authentication:
              webhook:
                enabled: true
                cacheTTLs: 1m
            """))
        #expect(error.description.contains("node.yaml:6: KubeletConfiguration: authentication.webhook.cacheTTLs: unknown field"))
    }

    @Test func aTypeMismatchNamesTheExpectedType() throws {
        let error = try #require(problems(
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            nftables:
              syncPeriod: 30
            """))
        #expect(error.description.hasPrefix("node.yaml:4: KubeProxyConfiguration: nftables.syncPeriod: expected duration string"))
    }

    @Test func aProxyModeOtherThanNFTablesIsRejected() throws {
        let error = try #require(problems(
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: iptables
            """))
        #expect(error.description.hasPrefix("node.yaml:3: KubeProxyConfiguration: mode: unsupported value \"iptables\""))
    }

    @Test func lowGCThresholdMustBeBelowHigh() throws {
        let error = try #require(problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            imageGCHighThresholdPercent: 70
            imageGCLowThresholdPercent: 75
            """))
        #expect(error.description.contains("node.yaml:4: KubeletConfiguration: imageGCLowThresholdPercent: "))
    }

    @Test func anInvalidDurationSaysWhatWasExpected() throws {
        let error = try #require(problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            syncFrequency: 1 minute
            """))
        #expect(error.description.hasPrefix("node.yaml:3: KubeletConfiguration: syncFrequency: invalid duration \"1 minute\""))
    }

    @Test func anUnknownKindListsTheSupportedKinds() throws {
        let error = try #require(problems(
            """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            """))
        #expect(error.description.hasPrefix("node.yaml:2: kind: unsupported value \"KubeSchedulerConfiguration\""))
        #expect(error.description.contains("\"SwiftletConfiguration\""))
    }

    @Test func aWrongAPIVersionIsRejected() throws {
        let error = try #require(problems(
            """
            apiVersion: kubelet.config.k8s.io/v1
            kind: KubeletConfiguration
            """))
        #expect(error.description.hasPrefix("node.yaml:1: KubeletConfiguration: apiVersion: expected \"kubelet.config.k8s.io/v1beta1\""))
    }

    @Test func aSecondDocumentOfTheSameKindIsRejected() throws {
        let error = try #require(problems(
            """
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            """))
        #expect(error.description.contains("node.yaml:4: SwiftletConfiguration: a second SwiftletConfiguration document"))
    }

    @Test func everyProblemOfAFileIsReportedInLineOrder() throws {
        let error = try #require(problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            port: 70000
            cgroupDriver: upstart
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            runtime:
              backend: docker
            """))
        #expect(error.problems.map(\.line) == [3, 4, 9])
        #expect(error.problems.map(\.path.description) == ["port", "cgroupDriver", "runtime.backend"])
    }

    @Test func aMissingFileIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) { try NodeConfiguration.load(path: "/nonexistent/swiftlet.yaml") }
    }
}
