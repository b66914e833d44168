// What the agent's pod side takes from the configuration file (kubelet settings, the node's
// identity) and the pod status table it writes while no API server exists. No runtime starts
// here; `AgentStaticPodTests` (RuntimeWiringTests) runs the agent with real pods.

import Foundation
import KubeAPI
import Kubelet
import Testing

@testable import NodeAgent

struct PodSideConfigurationTests {
    @Test func kubeletSettingsTakeSyncFrequencyLogDirStateDirAndTheQoSCgroupTreeFromTheFile() throws {
        let node = try NodeConfiguration.parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            syncFrequency: 30s
            podLogsDir: /srv/logs/pods
            cgroupRoot: /agent-test
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            stateDir: /srv/state
            """, file: "pods.yaml")
        let settings = KubeletSettings(node: node, nodeName: "node-a", hostIPs: ["192.0.2.7"])
        #expect(settings.nodeName == "node-a")
        #expect(settings.hostIPs == ["192.0.2.7"])
        #expect(settings.syncFrequency == .seconds(30))
        #expect(settings.runtime.podLogsRoot == "/srv/logs/pods")
        #expect(settings.runtime.podsDirectory == "/srv/state/pods")
        #expect(settings.runtime.volumes?.root == "/srv/state")
        #expect(settings.runtime.cgroups == CgroupHierarchy(driver: .cgroupfs, root: "/agent-test"))
        #expect(settings.runtime.cgroups?.podCgroup(uid: "u1", qos: .bestEffort) == "/agent-test/kubepods/besteffort/podu1")
    }

    @Test func systemdDriverOrNoCgroupsPerQOSLeavesPodCgroupsToTheRuntimesParent() throws {
        for fields in ["cgroupDriver: systemd", "cgroupsPerQOS: false\nenforceNodeAllocatable: []"] {
            let node = try NodeConfiguration.parse(
                """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                \(fields)
                """, file: "pods.yaml")
            #expect(KubeletSettings(node: node, nodeName: "n", hostIPs: []).runtime.cgroups == nil, "\(fields)")
        }
    }

    @Test func nodeNameIsTheLowerCasedHostnameOverrideElseTheHostName() throws {
        let overridden = try NodeConfiguration.parse(
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            hostnameOverride: Worker-7
            """, file: "node.yaml")
        #expect(NodeIdentity.current(overridden).name == "worker-7")
        #expect(NodeIdentity.current(.defaults).name == NodeIdentity.hostName().lowercased())
        #expect(!NodeIdentity.hostName().isEmpty)
        #expect(!NodeIdentity.current(.defaults).addresses.contains("127.0.0.1"))
    }

    @Test func standalonePodsRunOnlyWithAStaticPodPathOrURL() throws {
        var node = NodeConfiguration.defaults
        #expect(!NodeAgent(configuration: node, environment: [:], logger: .init(label: "t")).runsStandalonePods)
        node.kubelet.staticPodPath = "/etc/swiftlet/manifests"
        #expect(NodeAgent(configuration: node, environment: [:], logger: .init(label: "t")).runsStandalonePods)
        node.kubelet.staticPodPath = ""
        node.kubelet.staticPodURL = "http://192.0.2.1/pods.yaml"
        #expect(NodeAgent(configuration: node, environment: [:], logger: .init(label: "t")).runsStandalonePods)
    }

    @Test func runWithAMissingNodeNamespaceExits2NamingTheFieldBeforeStartingAnything() async throws {
        let binary = try Repository.swiftletBinary()
        let directory = try TemporaryDirectory()
        let missing = "/run/netns/swiftlet-absent-\(UInt32.random(in: 0...UInt32.max))"
        let config = try directory.write(
            "pods.yaml",
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            healthzBindAddress: 127.0.0.1
            healthzPort: 0
            staticPodPath: \(directory.path)/manifests
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            stateDir: \(directory.path)/state
            runDir: \(directory.path)/run
            apiSocket: \(directory.path)/run/swiftlet.sock
            images: {storeDir: \(directory.path)/images}
            podNetwork: {nodeNetworkNamespace: \(missing)}
            """)
        let result = try await runToCompletion(binary, ["run", "--config", config])
        #expect(result.status == 2)
        #expect(result.error.contains(
            "\(config): SwiftletConfiguration: podNetwork.nodeNetworkNamespace: expected an existing network namespace"))
        #expect(!result.error.contains("healthz server listening"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/state/runtime"))
    }

    @Test func podStatusTableSortsPodsAndShowsPhaseReadinessAndIP() {
        func pod(_ namespace: String, _ name: String, phase: String, ready: Bool, ip: String?) -> CoreV1.Pod {
            CoreV1.Pod(
                metadata: MetaV1.ObjectMeta(name: name, namespace: namespace),
                status: CoreV1.PodStatus(
                    conditions: [CoreV1.PodCondition(status: ready ? "True" : "False", type: "Ready")], phase: phase, podIP: ip))
        }
        let table = PodStatusReport.table([
            .init(pod("default", "web-2-node", phase: "Running", ready: true, ip: "10.88.0.3")),
            .init(pod("default", "web-1-node", phase: "Pending", ready: false, ip: nil)),
            .init(pod("app", "zeta", phase: "Running", ready: false, ip: "10.88.0.9")),
        ])
        #expect(
            table == """
                NAMESPACE   NAME         PHASE     READY   IP
                app         zeta         Running   false   10.88.0.9
                default     web-1-node   Pending   false   -
                default     web-2-node   Running   true    10.88.0.3

                """)
    }
}
