import Foundation
import KubeAPI
import KubeClient
import Testing

@Suite struct NodeBootstrapTests {
    @Test func joinDiscoversThenBootstrapsWithTheTokenAndWritesCredentials() async throws {
        let setup = try FakeCluster()
        await setup.api.set(decision: .approve, readsBeforeDecision: 3)
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let result = try await setup.flow.join(setup.request(root: root))
            #expect(result.userName == "system:node:worker-1")
            #expect(result.csrName.hasPrefix("node-csr-"))
            #expect(result.kubeconfigPath == root + "/etc/kubeconfig")

            let calls = await setup.api.calls
            let token = BootstrapEndpoint.Credentials.bearerToken("abcdef.0123456789abcdef")
            let secured = BootstrapEndpoint(server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, credentials: token)
            #expect(calls.first == .clusterInfo(BootstrapEndpoint(server: BootstrapFixtures.server, caPEM: nil, credentials: .anonymous)))
            #expect(calls.dropFirst().first == .clusterInfo(BootstrapEndpoint(server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, credentials: .anonymous)))
            #expect(calls.dropFirst(2).first == .create(secured))
            #expect(calls.dropFirst(3).allSatisfy { $0 == .get(result.csrName, secured) })
            #expect(calls.count == 6)

            let stored = try #require(await setup.api.requests[result.csrName])
            #expect(stored.spec.signerName == "kubernetes.io/kube-apiserver-client-kubelet")

            let store = KubeletCertificateStore(directory: root + "/pki")
            let current = try #require(try store.current())
            #expect(current.leaf.subject.description == "CN=system:node:worker-1,O=system:nodes")
            #expect(try BootstrapFixtures.mode(root + "/etc/kubeconfig") == 0o600)
            #expect(try BootstrapFixtures.mode(root + "/pki") == 0o700)
            let kubeconfig = try ClusterInfo.parse(kubeconfig: String(contentsOfFile: root + "/etc/kubeconfig", encoding: .utf8))
            #expect(kubeconfig.server == BootstrapFixtures.server)
            #expect(kubeconfig.caPEM == setup.ca.caPEM)
        }
    }

    /// Runs a join expected to fail with `expected` and checks nothing was written.
    func expectRefusal(_ setup: FakeCluster, pins: [CACertificatePin]? = nil, _ expected: (BootstrapError) -> Bool) async throws {
        try await BootstrapFixtures.withTemporaryDirectory { root in
            do throws(BootstrapError) {
                _ = try await setup.flow.join(setup.request(root: root, pins: pins))
                Issue.record("join succeeded")
            } catch {
                #expect(expected(error), "\(error)")
            }
            #expect(BootstrapFixtures.entries(root) == [])
        }
    }

    @Test func wrongCAHashIsRefusedBeforeAnyCSRAndNothingIsWritten() async throws {
        let setup = try FakeCluster()
        let wrong = try CACertificatePin(certificateDER: try BootstrapTestCA().caDER)
        try await expectRefusal(setup, pins: [wrong]) { error in
            if case .caPinMismatch(let expected, let found) = error {
                return expected == [wrong.description] && found == [setup.pin.description]
            }
            return false
        }
        #expect(await setup.api.calls.count == 1)
    }

    @Test func badSignatureIsRefusedAndNothingIsWritten() async throws {
        let setup = try FakeCluster()
        var tampered = BootstrapFixtures.clusterInfo(ca: setup.ca)
        tampered.data?["kubeconfig"] = BootstrapFixtures.clusterInfoKubeconfig(ca: setup.ca, server: "https://evil:6443")
        await setup.api.set(verifiedClusterInfo: nil)
        let api = FakeBootstrapAPI(ca: setup.ca, clock: setup.clock, clusterInfo: tampered)
        let flow = NodeBootstrap(api: api, clock: setup.clock)
        try await BootstrapFixtures.withTemporaryDirectory { root in
            await #expect(throws: BootstrapError.badSignature(tokenID: "abcdef", reason: "HMAC-SHA256 mismatch")) {
                _ = try await flow.join(setup.request(root: root))
            }
            #expect(BootstrapFixtures.entries(root) == [])
        }
    }

    @Test func clusterInfoWithoutSignatureForTheTokenIsRefused() async throws {
        let setup = try FakeCluster()
        let api = FakeBootstrapAPI(
            ca: setup.ca, clock: setup.clock,
            clusterInfo: BootstrapFixtures.clusterInfo(ca: setup.ca, signedFor: [try BootstrapToken("qqqqqq.0123456789abcdef")]))
        try await BootstrapFixtures.withTemporaryDirectory { root in
            await #expect(throws: BootstrapError.missingSignature(tokenID: "abcdef")) {
                _ = try await NodeBootstrap(api: api, clock: setup.clock).join(setup.request(root: root))
            }
            #expect(BootstrapFixtures.entries(root) == [])
        }
    }

    @Test func clusterInfoThatChangesOnceVerifiedIsRefused() async throws {
        let setup = try FakeCluster()
        await setup.api.set(verifiedClusterInfo: BootstrapFixtures.clusterInfo(ca: setup.ca, kubeconfig: "apiVersion: v1\n"))
        try await expectRefusal(setup) { $0 == .clusterInfoChanged }
    }

    @Test func deniedCSRIsRefusedWithTheApproversReasonAndNothingIsWritten() async throws {
        let setup = try FakeCluster()
        await setup.api.set(decision: .deny, readsBeforeDecision: 2)
        try await expectRefusal(setup) { error in
            if case .csrDenied(let name, "AdminDenied", "not a node of ours") = error { return name.hasPrefix("node-csr-") }
            return false
        }
    }

    @Test func failedSigningIsRefused() async throws {
        let setup = try FakeCluster()
        await setup.api.set(decision: .fail)
        try await expectRefusal(setup) { error in
            if case .csrFailed(_, "SignerError", "signer down") = error { return true }
            return false
        }
    }

    @Test func csrNeverDecidedTimesOutAfterTheApprovalTimeout() async throws {
        let setup = try FakeCluster()
        await setup.api.set(decision: .never)
        let start = setup.clock.now
        try await expectRefusal(setup) { error in
            if case .csrTimedOut(_, 60) = error { return true }
            return false
        }
        #expect(setup.clock.now.timeIntervalSince(start) == 60)
        let reads = await setup.api.calls.filter { if case .get = $0 { return true } else { return false } }
        #expect(reads.count == 60)
    }

    @Test func existingKubeconfigIsUsedWithoutBootstrapping() async throws {
        let setup = try FakeCluster()
        try await BootstrapFixtures.withTemporaryDirectory { root in
            try "apiVersion: v1\n".write(toFile: root + "/kubeconfig", atomically: true, encoding: .utf8)
            let result = try await setup.flow.loadOrBootstrap(
                kubeconfigPath: root + "/kubeconfig",
                bootstrap: BootstrapEndpoint(server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, credentials: .bearerToken("x")),
                nodeName: "worker-1", certificateDirectory: root + "/pki")
            #expect(result == nil)
            #expect(await setup.api.calls.isEmpty)
        }
    }

    @Test func missingKubeconfigIsBootstrappedFromTheBootstrapKubeconfigsCredentials() async throws {
        let setup = try FakeCluster()
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let bootstrap = BootstrapEndpoint(server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, credentials: .bearerToken("abcdef.0123456789abcdef"))
            let result = try #require(
                try await setup.flow.loadOrBootstrap(
                    kubeconfigPath: root + "/kubeconfig", bootstrap: bootstrap, nodeName: "worker-1", certificateDirectory: root + "/pki"))
            #expect(result.userName == "system:node:worker-1")
            #expect(await setup.api.calls.first == .create(bootstrap))
            #expect(FileManager.default.fileExists(atPath: root + "/kubeconfig"))
            #expect(try KubeletCertificateStore(directory: root + "/pki").current() != nil)
        }
    }

    @Test func expiredCurrentCertificateIsBootstrappedAgain() async throws {
        let setup = try FakeCluster()
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let bootstrap = BootstrapEndpoint(server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, credentials: .bearerToken("abcdef.0123456789abcdef"))
            _ = try await setup.flow.loadOrBootstrap(
                kubeconfigPath: root + "/kubeconfig", bootstrap: bootstrap, nodeName: "worker-1", certificateDirectory: root + "/pki")
            setup.clock.advance(by: 7200)
            let again = try await setup.flow.loadOrBootstrap(
                kubeconfigPath: root + "/kubeconfig", bootstrap: bootstrap, nodeName: "worker-1", certificateDirectory: root + "/pki")
            #expect(again != nil)
            #expect(await setup.api.requests.count == 2)
        }
    }

    @Test func neitherKubeconfigNorBootstrapIsAnError() async throws {
        let setup = try FakeCluster()
        await #expect(throws: BootstrapError.noCredentials(kubeconfig: "/nonexistent/kubeconfig")) {
            _ = try await setup.flow.loadOrBootstrap(
                kubeconfigPath: "/nonexistent/kubeconfig", bootstrap: nil, nodeName: "worker-1", certificateDirectory: "/nonexistent/pki")
        }
    }
}
