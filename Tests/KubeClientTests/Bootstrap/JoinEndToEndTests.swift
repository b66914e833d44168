import Foundation
import KubeAPI
import KubeClient
import KubeTestServer
import SwiftASN1
import Testing

/// `swiftlet join`'s flow against the test control plane over real TLS: token discovery, the
/// CSR approved and signed by the server, the kubeconfig written, and requests made with it.
@Suite struct JoinEndToEndTests {
    static let token = "abcdef.0123456789abcdef"

    static func withServer<T>(autoApprove: Bool, _ body: (KubeTestServer) async throws -> T) async throws -> T {
        var options = KubeTestServer.Options()
        options.autoApproveCSRs = autoApprove
        let server = try await KubeTestServer.start(options)
        do {
            try server.addBootstrapToken(id: "abcdef", secret: "0123456789abcdef")
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    static func request(_ server: KubeTestServer, root: String, pin: CACertificatePin) throws -> NodeBootstrap.JoinRequest {
        NodeBootstrap.JoinRequest(
            server: server.url, token: try BootstrapToken(token), pins: [pin], nodeName: "worker-1",
            kubeconfigPath: root + "/etc/swiftlet/kubeconfig", certificateDirectory: root + "/pki")
    }

    static func pin(_ server: KubeTestServer) throws -> CACertificatePin {
        try CACertificatePin(certificateDER: try PEMDocument(pemString: server.caCertificatePEM).derBytes)
    }

    @Test(.timeLimit(.minutes(2)))
    func joinWithAutoApprovalWritesAKubeconfigThatActsAsTheNode() async throws {
        try await Self.withServer(autoApprove: true) { server in
            try await BootstrapFixtures.withTemporaryDirectory { root in
                let api = KubeClientBootstrapAPI()
                let flow = NodeBootstrap(api: api, pollInterval: 0.2, approvalTimeout: 60)
                let joined = try await flow.join(Self.request(server, root: root, pin: Self.pin(server)))
                await api.shutdown()
                #expect(joined.userName == "system:node:worker-1")

                // The server saw the CSR from the bootstrap token's user.
                let csr = try #require(try server.get("certificatesigningrequests", name: joined.csrName))
                #expect(csr["spec"]?["username"]?.stringValue == "system:bootstrap:abcdef")
                #expect(csr["spec"]?["signerName"]?.stringValue == "kubernetes.io/kube-apiserver-client-kubelet")

                // A request with the written kubeconfig succeeds: the node registers itself.
                let client = try KubeClient(config: try KubeConfig.load(path: joined.kubeconfigPath))
                let node = CoreV1.Node(metadata: MetaV1.ObjectMeta(name: "worker-1"))
                let created = try await client.create(node)
                #expect(created.metadata?.name == "worker-1")
                #expect(try await client.get(CoreV1.Node.self, name: "worker-1").metadata?.uid != nil)
                try await client.shutdown()

                // Rotation authenticates with that certificate: the server records the node as the
                // requester of the renewal.
                let rotationAPI = KubeClientBootstrapAPI()
                let rotator = ClientCertificateRotator(
                    flow: NodeBootstrap(api: rotationAPI, pollInterval: 0.2, approvalTimeout: 60),
                    store: KubeletCertificateStore(directory: root + "/pki"), server: server.url,
                    caPEM: server.caCertificatePEM, nodeName: "worker-1")
                try await rotator.rotate()
                await rotationAPI.shutdown()
                let renewals = try server.list("certificatesigningrequests").filter {
                    $0["metadata"]?["name"]?.stringValue != joined.csrName
                }
                #expect(renewals.count == 1)
                #expect(renewals.first?["spec"]?["username"]?.stringValue == "system:node:worker-1")
                #expect(renewals.first?["spec"]?["groups"]?.arrayValue.map { $0.compactMap(\.stringValue) }?.contains("system:nodes") == true)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func joinWaitsForAnApprovalMadeThroughTheApprovalSubresource() async throws {
        try await Self.withServer(autoApprove: false) { server in
            try await BootstrapFixtures.withTemporaryDirectory { root in
                let api = KubeClientBootstrapAPI()
                let flow = NodeBootstrap(api: api, pollInterval: 0.2, approvalTimeout: 60)
                let request = try Self.request(server, root: root, pin: Self.pin(server))
                async let joined = flow.join(request)
                // Approve as `kubectl certificate approve` does, once the CSR exists.
                var approved = false
                for _ in 0..<300 where !approved {
                    if let csr = try server.list("certificatesigningrequests").first {
                        let conditions: JSONValue = [["type": "Approved", "status": "True", "reason": "TestApproved", "message": "approved by the test"]]
                        let status: JSONValue = csr["status"]?.setting("conditions", to: conditions) ?? ["conditions": conditions]
                        _ = try server.update(csr.setting("status", to: status), subresource: "approval")
                        approved = true
                    } else {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                #expect(approved)
                let result = try await joined
                await api.shutdown()
                #expect(FileManager.default.fileExists(atPath: result.kubeconfigPath))
                #expect(try KubeletCertificateStore(directory: root + "/pki").current()?.leaf.subject.description == "CN=system:node:worker-1,O=system:nodes")
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func wrongCAHashIsRefusedAgainstTheServerAndNothingIsWritten() async throws {
        try await Self.withServer(autoApprove: true) { server in
            try await BootstrapFixtures.withTemporaryDirectory { root in
                let api = KubeClientBootstrapAPI()
                let wrong = try CACertificatePin(certificateDER: try BootstrapTestCA().caDER)
                await #expect {
                    _ = try await NodeBootstrap(api: api).join(Self.request(server, root: root, pin: wrong))
                } throws: { error in
                    if case .caPinMismatch = error as? BootstrapError { return true }
                    return false
                }
                await api.shutdown()
                #expect(BootstrapFixtures.entries(root) == [])
                #expect(try server.list("certificatesigningrequests").isEmpty)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func unknownTokenFindsNoSignatureInClusterInfo() async throws {
        try await Self.withServer(autoApprove: true) { server in
            try await BootstrapFixtures.withTemporaryDirectory { root in
                let api = KubeClientBootstrapAPI()
                var request = try Self.request(server, root: root, pin: Self.pin(server))
                request.token = try BootstrapToken("zzzzzz.0123456789abcdef")
                await #expect(throws: BootstrapError.missingSignature(tokenID: "zzzzzz")) {
                    _ = try await NodeBootstrap(api: api).join(request)
                }
                await api.shutdown()
                #expect(BootstrapFixtures.entries(root) == [])
            }
        }
    }
}

/// The `swiftlet join` command against the test control plane: what it prints and its exit codes.
@Suite struct JoinCommandTests {
    /// The `swiftlet` executable SwiftPM built next to the test bundle.
    static var swiftletPath: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("swiftlet").path) {
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("swiftlet").path
    }

    /// Runs `swiftlet join` with `arguments`; returns the exit status, stdout and stderr.
    ///
    /// The wait happens in the termination handler, never blocking a thread of the cooperative
    /// pool: the test server in this process answers the child on that pool.
    static func join(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: swiftletPath)
        process.arguments = ["join"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        // The child has exited; what it wrote (a few lines) sits in the pipes.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(2)))
    func joinCommandJoinsAndPrintsWhatItDid() async throws {
        try await JoinEndToEndTests.withServer(autoApprove: true) { server in
            try await BootstrapFixtures.withTemporaryDirectory { root in
                let pin = try JoinEndToEndTests.pin(server)
                let result = try await Self.join([
                    "--server", server.url, "--token", JoinEndToEndTests.token, "--discovery-token-ca-cert-hash", pin.description,
                    "--node-name", "worker-cli", "--kubeconfig", root + "/kubeconfig", "--cert-dir", root + "/pki",
                ])
                #expect(result.status == 0, "\(result.err)")
                #expect(result.out.contains("issued to system:node:worker-cli"))
                #expect(result.out.contains("wrote \(root)/kubeconfig"))
                #expect(!result.out.contains("0123456789abcdef"))
                let config = try KubeConfig.load(path: root + "/kubeconfig").clientConfiguration()
                #expect(config.server == server.url)
                #expect(config.tls.clientCertificatePEM != nil)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func joinCommandExitsOneOnAWrongCAHashAndTwoOnABadToken() async throws {
        try await JoinEndToEndTests.withServer(autoApprove: true) { server in
            try await BootstrapFixtures.withTemporaryDirectory { root in
                let wrong = try CACertificatePin(certificateDER: try BootstrapTestCA().caDER)
                let refused = try await Self.join([
                    "--server", server.url, "--token", JoinEndToEndTests.token, "--discovery-token-ca-cert-hash", wrong.description,
                    "--kubeconfig", root + "/kubeconfig", "--cert-dir", root + "/pki",
                ])
                #expect(refused.status == 1)
                #expect(refused.err.contains("cluster CA does not match discovery-token-ca-cert-hash"))
                #expect(BootstrapFixtures.entries(root) == [])

                let bad = try await Self.join([
                    "--server", server.url, "--token", "abcdef:0123456789abcdef", "--discovery-token-ca-cert-hash", wrong.description,
                ])
                #expect(bad.status == 2)
                #expect(bad.err.contains("expected ID.SECRET"))
            }
        }
    }
}

/// The kubelet's plain path against the test control plane: a bootstrap kubeconfig with a token.
@Suite struct BootstrapKubeconfigEndToEndTests {
    @Test(.timeLimit(.minutes(2)))
    func bootstrapKubeconfigIsUsedOnceThenTheWrittenKubeconfig() async throws {
        try await JoinEndToEndTests.withServer(autoApprove: true) { server in
            try await BootstrapFixtures.withTemporaryDirectory { root in
                let bootstrapPath = try BootstrapFixtures.writeBootstrapKubeconfig(
                    in: root, server: server.url, caPEM: server.caCertificatePEM, token: JoinEndToEndTests.token)
                let api = KubeClientBootstrapAPI()
                let flow = NodeBootstrap(api: api, pollInterval: 0.2, approvalTimeout: 60)
                let first = try await flow.loadOrBootstrap(
                    kubeconfigPath: root + "/kubeconfig", bootstrapKubeconfigPath: bootstrapPath, nodeName: "worker-2",
                    certificateDirectory: root + "/pki")
                let second = try await flow.loadOrBootstrap(
                    kubeconfigPath: root + "/kubeconfig", bootstrapKubeconfigPath: bootstrapPath, nodeName: "worker-2",
                    certificateDirectory: root + "/pki")
                await api.shutdown()
                #expect(first?.userName == "system:node:worker-2")
                #expect(second == nil)
                #expect(try server.list("certificatesigningrequests").count == 1)

                let client = try KubeClient(config: try KubeConfig.load(path: root + "/kubeconfig"))
                let created = try await client.create(CoreV1.Node(metadata: MetaV1.ObjectMeta(name: "worker-2")))
                try await client.shutdown()
                #expect(created.metadata?.name == "worker-2")
            }
        }
    }

    @Test func missingBootstrapKubeconfigNamesTheFile() async throws {
        let flow = NodeBootstrap(api: KubeClientBootstrapAPI())
        await #expect {
            _ = try await flow.loadOrBootstrap(
                kubeconfigPath: "/nonexistent/kubeconfig", bootstrapKubeconfigPath: "/nonexistent/bootstrap-kubeconfig", nodeName: "n",
                certificateDirectory: "/nonexistent/pki")
        } throws: { error in
            let text = (error as? BootstrapError)?.description ?? ""
            return text.contains("bootstrap kubeconfig") && text.contains("/nonexistent/bootstrap-kubeconfig")
        }
    }
}
