// What the joined-agent scenarios share: a node network namespace, the test control plane
// listening on its loopback, a fixture with the busybox image imported, the `swiftlet`
// executable, and an agent process — all stopped and removed when the scenario ends.

import Foundation
import KubeAPI
import KubeTestServer
import Netlink
import TestSupport
import Testing

struct AgentControlPlaneHarness {
    let fixture: WiringFixture
    let node: NetworkNamespace
    let agent: AgentProcess
    let server: KubeTestServer
    let swiftlet = WiringFixture.productsDirectory + "/swiftlet"
    var nodeName: String { AgentControlPlaneTests.nodeName }

    /// Runs `body` with a fresh harness; `configure` adjusts the server's options.
    static func with(
        _ configure: (inout KubeTestServer.Options) -> Void = { _ in }, _ body: (AgentControlPlaneHarness) async throws -> Void
    ) async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            try BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(spaces[0].path)", "ip", "link", "set", "lo", "up"])
            var options = KubeTestServer.Options()
            options.networkNamespace = spaces[0].path
            options.bookmarkInterval = .seconds(2)
            configure(&options)
            let server = try await KubeTestServer.start(options)
            let harness = AgentControlPlaneHarness(fixture: fixture, node: spaces[0], agent: AgentProcess(root: fixture.root), server: server)
            do {
                try harness.importImage()
                try await body(harness)
            } catch {
                await harness.tearDown()
                throw error
            }
            await harness.tearDown()
        }
    }

    private func importImage() throws {
        try #require(FileManager.default.isExecutableFile(atPath: swiftlet), "\(swiftlet) is not built")
        let layout = fixture.root + "/layout"
        try BusyboxLayout.write(to: layout, tag: AgentControlPlaneTests.tag, defaults: .init(env: ["PATH=/bin"], cmd: ["sh"]))
        #expect(try BusyboxLayout.run(swiftlet, ["images", "import", "--root", fixture.imageStore, layout]).hasPrefix(AgentControlPlaneTests.tag))
    }

    private func tearDown() async {
        agent.stop()
        AgentStaticPodTests.removePods(fixture: fixture)
        await server.stop()
        await fixture.tearDown(nil)
    }

    /// Runs `swiftlet ARGUMENTS…` inside the node's network namespace.
    @discardableResult
    func swiftletInNode(_ arguments: [String]) throws -> String {
        try BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(node.path)", swiftlet] + arguments)
    }

    /// Starts the agent with a node kubeconfig the server issued directly, and waits until the
    /// node is Ready in the API.
    func startJoinedAgent() async throws -> String {
        let kubeconfig = try AgentControlPlaneTests.writeNodeKubeconfig(fixture: fixture, server: server)
        let config = try AgentControlPlaneTests.writeConfiguration(fixture: fixture, node: node, kubeconfig: kubeconfig)
        try agent.start(swiftlet, config: config, namespace: node.path)
        try await waitUntilNodeReady()
        return config
    }

    /// Waits until the node reports Ready in the API; returns the Node.
    @discardableResult
    func waitUntilNodeReady(_ what: String = "the node is Ready in the API") async throws -> JSONValue {
        try await AgentStaticPodTests.eventually(what, agent: agent) { () -> JSONValue? in
            guard let node = try server.get("nodes", name: nodeName) else { return nil }
            if AgentControlPlaneTests.condition("Ready", of: node) == "True" { return node }
            return Optional.none
        }
    }

    /// Creates a pod bound to the node running `script` in busybox's sh; `extra` is added to its
    /// spec (JSON members, starting with a comma) and `container` to its container.
    func createPod(_ name: String, script: String, spec extra: String = "", container: String = "") throws {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [script]), as: UTF8.self)
        try server.create(try JSONParser.parse(Array(
            """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "\(name)", "namespace": "default"},
             "spec": {"nodeName": "\(nodeName)", "terminationGracePeriodSeconds": 2\(extra),
                      "containers": [{"name": "main", "image": "\(AgentControlPlaneTests.tag)", "imagePullPolicy": "Never",
                                      "command": ["sh", "-c", \(quoted.dropFirst().dropLast())]\(container)}]}}
            """.utf8)))
    }

    /// Waits until pod `name` is Running and Ready in the API; returns it.
    @discardableResult
    func waitUntilRunning(_ name: String, attempts: Int = 300) async throws -> JSONValue {
        try await AgentStaticPodTests.eventually("pod \(name) is Running and Ready in the API", agent: agent, attempts: attempts) {
            () -> JSONValue? in
            guard let pod = try server.get("pods", namespace: "default", name: name) else { return nil }
            if pod["status"]?["phase"]?.stringValue == "Running" && AgentControlPlaneTests.condition("Ready", of: pod) == "True" {
                return pod
            }
            return Optional.none
        }
    }

    /// The Lease's renewTime.
    func leaseRenewTime() throws -> String? {
        try server.get("leases", namespace: "kube-node-lease", name: nodeName)?["spec"]?["renewTime"]?.stringValue
    }

    /// The agent's configuration file.
    var config: String { fixture.root + "/config.yaml" }
}
