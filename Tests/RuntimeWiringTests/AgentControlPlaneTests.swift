// `swiftlet run` joined to an API server, end to end: the test control plane (KubeTestServer)
// listens on the loopback of a node network namespace the test creates, the real `swiftlet`
// executable runs inside that namespace with a node kubeconfig (client certificate for
// system:node:<name>), and the test acts as the scheduler and the user by writing to the
// server directly: the node registers and turns Ready, its Lease is renewed, a pod bound to the
// node runs on the node's pod CIDR and its status reaches the server, and a graceful delete
// ends with the kubelet removing the pod from the API.

import Foundation
import KubeAPI
import KubeTestServer
import Netlink
import TestSupport
import Testing

@Suite(
    "swiftlet run joined to an API server", .serialized,
    .requires(.root, .command("tar"), .command("nsenter"), .command("nft"), .command("ip"), .path("/usr/bin/busybox")))
struct AgentControlPlaneTests {
    static let tag = "registry.test/busybox:agent-api"
    static let nodeName = "swiftlet-api-node"

    @Test func nodeRegistersAndHeartbeatsAndAPodBoundToItRunsReportsStatusAndIsDeletedGracefully() async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            let agent = AgentProcess(root: fixture.root)
            try BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(spaces[0].path)", "ip", "link", "set", "lo", "up"])
            var options = KubeTestServer.Options()
            options.networkNamespace = spaces[0].path
            options.bookmarkInterval = .seconds(2)
            let server = try await KubeTestServer.start(options)
            do {
                try await runScenario(fixture: fixture, node: spaces[0], agent: agent, server: server)
            } catch {
                agent.stop()
                AgentStaticPodTests.removePods(fixture: fixture)
                await server.stop()
                await fixture.tearDown(nil)
                throw error
            }
            agent.stop()
            AgentStaticPodTests.removePods(fixture: fixture)
            await server.stop()
            await fixture.tearDown(nil)
        }
    }

    func runScenario(fixture: WiringFixture, node: NetworkNamespace, agent: AgentProcess, server: KubeTestServer) async throws {
        let swiftlet = WiringFixture.productsDirectory + "/swiftlet"
        try #require(FileManager.default.isExecutableFile(atPath: swiftlet), "\(swiftlet) is not built")
        let layout = fixture.root + "/layout"
        try BusyboxLayout.write(to: layout, tag: Self.tag, defaults: .init(env: ["PATH=/bin"], cmd: ["sh"]))
        #expect(try BusyboxLayout.run(swiftlet, ["images", "import", "--root", fixture.imageStore, layout]).hasPrefix(Self.tag))

        // The Node exists already with a pod CIDR from the node IPAM controller (as after an
        // earlier registration): the agent reconciles it and puts its pods on that range.
        try server.create(try JSONParser.parse(Array(
            """
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "\(Self.nodeName)"},
             "spec": {"podCIDR": "10.78.5.0/24", "podCIDRs": ["10.78.5.0/24"]}}
            """.utf8)))
        let kubeconfig = try Self.writeNodeKubeconfig(fixture: fixture, server: server)
        let config = try Self.writeConfiguration(fixture: fixture, node: node, kubeconfig: kubeconfig)
        try agent.start(swiftlet, config: config, namespace: node.path)

        // The node registers and reports Ready; its Lease is renewed.
        let registered = try await AgentStaticPodTests.eventually("the node is Ready in the API", agent: agent) { () -> JSONValue? in
            guard let node = try server.get("nodes", name: Self.nodeName) else { return nil }
            // (JSONValue is nil-literal expressible: no ternary with nil here.)
            if Self.condition("Ready", of: node) == "True" { return node }
            return Optional.none
        }
        #expect(registered["metadata"]?["labels"]?["kubernetes.io/hostname"]?.stringValue == Self.nodeName)
        #expect(registered["metadata"]?["labels"]?["kubernetes.io/os"]?.stringValue == "linux")
        #expect(registered["status"]?["nodeInfo"]?["containerRuntimeVersion"]?.stringValue?.hasPrefix("swiftlet://") == true)
        #expect(registered["status"]?["capacity"]?["pods"]?.stringValue == "110")
        #expect(registered["spec"]?["podCIDR"]?.stringValue == "10.78.5.0/24")
        let firstRenewal = try await AgentStaticPodTests.eventually("the node's Lease exists", agent: agent) { () -> String? in
            try server.get("leases", namespace: "kube-node-lease", name: Self.nodeName)?["spec"]?["renewTime"]?.stringValue
        }
        let lease = try #require(try server.get("leases", namespace: "kube-node-lease", name: Self.nodeName))
        #expect(lease["spec"]?["holderIdentity"]?.stringValue == Self.nodeName)
        #expect(lease["spec"]?["leaseDurationSeconds"]?.integerValue == 40)

        // The scheduler's part: a pod bound to the node.
        try server.create(try JSONParser.parse(Array(
            """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "api-web", "namespace": "default"},
             "spec": {"nodeName": "\(Self.nodeName)", "terminationGracePeriodSeconds": 5,
                      "containers": [{"name": "web", "image": "\(Self.tag)", "imagePullPolicy": "Never",
                                      "command": ["sh", "-c", "echo started; exec sleep 600"]}]}}
            """.utf8)))
        let running = try await AgentStaticPodTests.eventually("the pod is Running and Ready in the API", agent: agent) { () -> JSONValue? in
            guard let pod = try server.get("pods", namespace: "default", name: "api-web") else { return nil }
            if pod["status"]?["phase"]?.stringValue == "Running" && Self.condition("Ready", of: pod) == "True" { return pod }
            return Optional.none
        }
        #expect(running["status"]?["containerStatuses"]?.arrayValue?.first?["ready"]?.boolValue == true)
        #expect(running["status"]?["containerStatuses"]?.arrayValue?.first?["state"]?["running"] != nil)
        #expect(running["status"]?["podIP"]?.stringValue?.hasPrefix("10.78.5.") == true)
        #expect(running["status"]?["qosClass"]?.stringValue == "BestEffort")

        // The proxy follows the API's Services and EndpointSlices: a Service with a slice naming
        // the pod is programmed in the node namespace's kube-proxy table.
        let podIP = try #require(running["status"]?["podIP"]?.stringValue)
        try server.create(try JSONParser.parse(Array(
            """
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api-web", "namespace": "default"},
             "spec": {"clusterIP": "10.96.0.78", "clusterIPs": ["10.96.0.78"], "type": "ClusterIP",
                      "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}]}}
            """.utf8)))
        try server.create(try JSONParser.parse(Array(
            """
            {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
             "metadata": {"name": "api-web-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "api-web"}},
             "addressType": "IPv4",
             "endpoints": [{"addresses": ["\(podIP)"], "conditions": {"ready": true}, "nodeName": "\(Self.nodeName)"}],
             "ports": [{"name": "http", "protocol": "TCP", "port": 8080}]}
            """.utf8)))
        let ruleset = try await AgentStaticPodTests.eventually("the API's Service is programmed", agent: agent) { () -> String? in
            let map = (try? BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(node.path)", "nft", "list", "map", "ip", "kube-proxy", "service-ips"])) ?? ""
            guard map.contains("10.96.0.78 . tcp . 80") else { return nil }
            let rules = (try? BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(node.path)", "nft", "list", "table", "ip", "kube-proxy"])) ?? ""
            return rules.contains("\(podIP):8080") ? rules : nil
        }
        #expect(ruleset.contains("default/api-web/tcp/http"))

        // The kubelet's events reach the API with the pod's UID.
        let uid = try #require(running["metadata"]?["uid"]?.stringValue)
        let started = try await AgentStaticPodTests.eventually("a Started event for the pod", agent: agent) { () -> JSONValue? in
            try server.list("events", namespace: "default").first {
                $0["reason"]?.stringValue == "Started" && $0["involvedObject"]?["name"]?.stringValue == "api-web"
            }
        }
        let allEvents = try server.list("events", namespace: "default")
        #expect(started["involvedObject"]?["uid"]?.stringValue == uid, "events: \(allEvents)\nlog: \(agent.log.suffix(6000))")
        #expect(started["source"]?["component"]?.stringValue == "kubelet")

        // The Lease keeps being renewed (every 10 s).
        _ = try await AgentStaticPodTests.eventually("the Lease is renewed", agent: agent, attempts: 150) { () -> Bool? in
            let renewal = try server.get("leases", namespace: "kube-node-lease", name: Self.nodeName)?["spec"]?["renewTime"]?.stringValue
            return renewal != nil && renewal != firstRenewal ? true : nil
        }
        let renewed = try #require(try server.get("leases", namespace: "kube-node-lease", name: Self.nodeName))
        #expect(renewed["metadata"]?["ownerReferences"]?.arrayValue?.first?["kind"]?.stringValue == "Node")
        #expect(renewed["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"]?.stringValue == Self.nodeName)

        // A graceful delete: the kubelet stops the pod, then deletes it from the API with grace 0.
        try server.delete("pods", namespace: "default", name: "api-web", gracePeriodSeconds: 5)
        #expect(try server.get("pods", namespace: "default", name: "api-web")?["metadata"]?["deletionTimestamp"] != nil)
        _ = try await AgentStaticPodTests.eventually("the pod is gone from the API", agent: agent) { () -> Bool? in
            try server.get("pods", namespace: "default", name: "api-web") == nil ? true : nil
        }
        _ = try await AgentStaticPodTests.eventually("the pod's sandbox is removed", agent: agent) { () -> Bool? in
            try BusyboxLayout.run(swiftlet, ["runtime", "pods", "--config", config, "-q"]).isEmpty ? true : nil
        }
        let status = agent.stop()
        #expect(status == 0, "the agent's log:\n\(agent.log.suffix(3000))")
    }

    /// The status of condition `type` of a node or pod.
    static func condition(_ type: String, of object: JSONValue) -> String? {
        guard case .array(let conditions)? = object["status"]?["conditions"] else { return nil }
        return conditions.first { $0["type"]?.stringValue == type }?["status"]?.stringValue
    }

    /// A kubeconfig for the node: the server's CA, a client certificate for system:node:<name>.
    static func writeNodeKubeconfig(fixture: WiringFixture, server: KubeTestServer) throws -> String {
        let credentials = try server.issueClientCertificate(user: "system:node:\(nodeName)", groups: ["system:nodes"])
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let path = fixture.root + "/kubeconfig"
        try writeKubeconfig(
            server: server, to: path,
            user: ["client-certificate-data: \(base64(credentials.certificatePEM))", "client-key-data: \(base64(credentials.keyPEM))"])
        return path
    }

    /// A kubeconfig at `path` for the server (its URL and CA) whose user has the `user` fields
    /// (YAML lines).
    static func writeKubeconfig(server: KubeTestServer, to path: String, user: [String]) throws {
        let fields = user.map { "    " + $0 + "\n" }.joined()
        try """
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: \(server.url)
                certificate-authority-data: \(Data(server.caCertificatePEM.utf8).base64EncodedString())
            users:
            - name: node
              user:
            \(fields)contexts:
            - name: node
              context: {cluster: test, user: node}
            current-context: node

            """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A configuration with no static pods, everything under the fixture's directory, the node in
    /// `node`, and the node's kubeconfig (and a bootstrap kubeconfig and certDir when given).
    static func writeConfiguration(
        fixture: WiringFixture, node: NetworkNamespace, kubeconfig: String, bootstrapKubeconfig: String? = nil, certDir: String? = nil
    ) throws -> String {
        var controlPlane = "controlPlane:\n  kubeconfig: \(kubeconfig)"
        if let bootstrapKubeconfig { controlPlane += "\n  bootstrapKubeconfig: \(bootstrapKubeconfig)" }
        if let certDir { controlPlane += "\n  certDir: \(certDir)" }
        return try AgentStaticPodTests.writeConfiguration(
            fixture: fixture, node: node, bridge: "swtc0", podCIDR: "10.78.0.0/24",
            proxy: "hostnameOverride: \(nodeName)\nhealthzBindAddress: 127.0.0.1:0\nmetricsBindAddress: 127.0.0.1:0",
            swiftlet: controlPlane)
    }
}
