// How a node gets its credentials, end to end against the test control plane in a node network
// namespace: the kubelet's TLS bootstrap inside `swiftlet run` (a bootstrap kubeconfig with a
// bootstrap token, the CSR approved by the test acting as the cluster's approver), and
// `swiftlet join` with token discovery pinned to the CA (a wrong pin is refused with nothing
// written, the right one writes the kubeconfig `swiftlet run` then uses).

import Foundation
import KubeAPI
import KubeTestServer
import TestSupport
import Testing

@Suite(
    "a node joins the API server with a bootstrap token", .serialized,
    .requires(
        .root, .command("tar"), .command("nsenter"), .command("nft"), .command("ip"), .command("openssl"),
        .path("/usr/bin/busybox")))
struct AgentControlPlaneJoinTests {
    static let tokenID = "abcdef"
    static let tokenSecret = "0123456789abcdef"

    @Test func runWithABootstrapKubeconfigRequestsTheNodeCertificateWaitsForApprovalAndTheNodeBecomesReadyWithIt() async throws {
        try await AgentControlPlaneHarness.with { harness in
            let server = harness.server
            try server.addBootstrapToken(id: Self.tokenID, secret: Self.tokenSecret)
            let bootstrap = harness.fixture.root + "/bootstrap-kubeconfig"
            try Self.writeTokenKubeconfig(server: server, to: bootstrap)
            let kubeconfig = harness.fixture.root + "/etc/kubeconfig"
            let certDir = harness.fixture.root + "/pki"
            let config = try AgentControlPlaneTests.writeConfiguration(
                fixture: harness.fixture, node: harness.node, kubeconfig: kubeconfig, bootstrapKubeconfig: bootstrap, certDir: certDir)
            try harness.agent.start(harness.swiftlet, config: config, namespace: harness.node.path)

            // The CSR waits for approval; until then nothing is written and no node registers.
            let csr = try await AgentStaticPodTests.eventually("the node's CSR exists", agent: harness.agent) { () -> JSONValue? in
                try server.list("certificatesigningrequests").first
            }
            #expect(csr["spec"]?["signerName"]?.stringValue == "kubernetes.io/kube-apiserver-client-kubelet")
            #expect(csr["status"]?["certificate"] == nil)
            try await Task.sleep(for: .seconds(2))
            #expect(harness.agent.isRunning)
            #expect(!FileManager.default.fileExists(atPath: kubeconfig))
            #expect(try server.get("nodes", name: harness.nodeName) == nil)

            // The approver's part; the server signs it.
            let name = try #require(csr["metadata"]?["name"]?.stringValue)
            try server.patch(
                "certificatesigningrequests", name: name, type: "merge",
                patch: [
                    "status": ["conditions": [["type": "Approved", "status": "True", "reason": "TestApproved", "message": "approved by the test"]]]
                ], subresource: "approval")

            // Only system:nodes may register a Node (a bootstrap identity may only make CSRs), so
            // a Ready node shows the agent connected with the issued certificate.
            try await harness.waitUntilNodeReady()
            let mode = try FileManager.default.attributesOfItem(atPath: kubeconfig)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let subject = try BusyboxLayout.run("/usr/bin/openssl", ["x509", "-noout", "-subject", "-in", certDir + "/kubelet-client-current.pem"])
            #expect(subject.contains("system:node:\(harness.nodeName)"))

            try harness.createPod("after-bootstrap", script: "exec sleep 600")
            try await harness.waitUntilRunning("after-bootstrap")
            let status = harness.agent.stop()
            #expect(status == 0, "the agent's log:\n\(harness.agent.log.suffix(3000))")
        }
    }

    @Test func joinRefusesAWrongCAHashWritingNothingThenJoinsWithTheRightOneAndRunUsesTheWrittenKubeconfig() async throws {
        try await AgentControlPlaneHarness.with({ $0.autoApproveCSRs = true }) { harness in
            let server = harness.server
            try server.addBootstrapToken(id: Self.tokenID, secret: Self.tokenSecret)
            let kubeconfig = harness.fixture.root + "/etc/kubeconfig"
            let certDir = harness.fixture.root + "/pki"
            func join(pin: String) throws -> String {
                try harness.swiftletInNode([
                    "join", "--server", server.url, "--token", "\(Self.tokenID).\(Self.tokenSecret)",
                    "--discovery-token-ca-cert-hash", pin, "--node-name", harness.nodeName, "--kubeconfig", kubeconfig,
                    "--cert-dir", certDir, "--timeout", "60",
                ])
            }

            let wrong = "sha256:" + String(repeating: "ab", count: 32)
            #expect(throws: CommandFailed.self) { try join(pin: wrong) }
            #expect(!FileManager.default.fileExists(atPath: kubeconfig))
            #expect(!FileManager.default.fileExists(atPath: certDir))
            #expect(try server.list("certificatesigningrequests").isEmpty)

            _ = try join(pin: try Self.pin(of: server, in: harness.fixture.root))
            #expect(FileManager.default.fileExists(atPath: kubeconfig))
            #expect(FileManager.default.fileExists(atPath: certDir + "/kubelet-client-current.pem"))

            let config = try AgentControlPlaneTests.writeConfiguration(
                fixture: harness.fixture, node: harness.node, kubeconfig: kubeconfig, certDir: certDir)
            try harness.agent.start(harness.swiftlet, config: config, namespace: harness.node.path)
            try await harness.waitUntilNodeReady()
            try harness.createPod("after-join", script: "exec sleep 600")
            try await harness.waitUntilRunning("after-join")
            let status = harness.agent.stop()
            #expect(status == 0, "the agent's log:\n\(harness.agent.log.suffix(3000))")
        }
    }

    @Test func runWhoseBootstrapKubeconfigCannotBeReadExitsNamingTheFieldAndWritesNothing() async throws {
        try await AgentControlPlaneHarness.with { harness in
            let kubeconfig = harness.fixture.root + "/etc/kubeconfig"
            let config = try AgentControlPlaneTests.writeConfiguration(
                fixture: harness.fixture, node: harness.node, kubeconfig: kubeconfig,
                bootstrapKubeconfig: harness.fixture.root + "/no-such-bootstrap-kubeconfig", certDir: harness.fixture.root + "/pki")
            try harness.agent.start(harness.swiftlet, config: config, namespace: harness.node.path)
            for _ in 0..<300 where harness.agent.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            let log = harness.agent.log
            let status = harness.agent.stop()
            #expect(status != nil && status != 0, "the agent's log:\n\(log)")
            #expect(log.contains("controlPlane.bootstrapKubeconfig"), "the agent's log:\n\(log)")
            #expect(!FileManager.default.fileExists(atPath: kubeconfig))
            #expect(try harness.server.list("certificatesigningrequests").isEmpty)
        }
    }

    /// The CA's pin as kubeadm documents computing it: SHA-256 of the DER SubjectPublicKeyInfo.
    static func pin(of server: KubeTestServer, in directory: String) throws -> String {
        let ca = directory + "/ca.pem"
        try server.caCertificatePEM.write(toFile: ca, atomically: true, encoding: .utf8)
        let digest = try BusyboxLayout.run(
            "/bin/sh", ["-c", "openssl x509 -pubkey -noout -in '\(ca)' | openssl pkey -pubin -outform der | sha256sum"])
        let hex = try #require(digest.split(separator: " ").first)
        try #require(hex.count == 64, "sha256sum printed \(digest)")
        return "sha256:\(hex)"
    }

    /// A bootstrap kubeconfig: the server's CA and the bootstrap token.
    static func writeTokenKubeconfig(server: KubeTestServer, to path: String) throws {
        try AgentControlPlaneTests.writeKubeconfig(server: server, to: path, user: ["token: \(tokenID).\(tokenSecret)"])
    }
}
