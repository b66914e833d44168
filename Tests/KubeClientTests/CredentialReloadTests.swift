import Foundation
import KubeAPI
import KubeTestServer
import Testing

@testable import KubeClient

/// A running client taking new TLS credentials: after ``KubeClient/reloadTLS(_:)`` (or a
/// certificate rotation and ``KubeClient/reloadTLS(kubeconfig:)``) its requests authenticate as
/// the new certificate says. The server tells the identities apart: a bootstrap identity may only
/// make CSRs, so listing pods is forbidden with it and allowed as a node.
@Suite("KubeClient credential reload against KubeTestServer")
struct CredentialReloadTests {
    static let nodeName = "reload-node"

    func forbidsListingPods(_ client: KubeClient) async -> Bool {
        do {
            _ = try await client.list(CoreV1.Pod.self, namespace: "default")
            return false
        } catch let error as KubeAPIError {
            return error.code == 403
        } catch {
            return false
        }
    }

    @Test func reloadingTLSMakesNewRequestsUseTheNewClientCertificate() async throws {
        let server = try await KubeTestServer.start()
        let bootstrapper = try server.issueClientCertificate(user: "system:bootstrap:abcdef", groups: ["system:bootstrappers"])
        let node = try server.issueClientCertificate(user: "system:node:\(Self.nodeName)", groups: ["system:nodes"])
        let ca = Array(server.caCertificatePEM.utf8)
        let client = try KubeClient(
            configuration: .clientCertificate(
                server: server.url, caPEM: ca, certificatePEM: Array(bootstrapper.certificatePEM.utf8),
                keyPEM: Array(bootstrapper.keyPEM.utf8)))
        #expect(await forbidsListingPods(client))

        try client.reloadTLS(
            KubeClientConfiguration.TLS(caPEM: ca, clientCertificatePEM: Array(node.certificatePEM.utf8), clientKeyPEM: Array(node.keyPEM.utf8)))
        let pods = try await client.list(CoreV1.Pod.self, namespace: "default")
        #expect(pods.items.isEmpty)

        // A key that does not parse is refused and the client keeps its credentials.
        #expect(throws: KubeConfigError.self) {
            try client.reloadTLS(KubeClientConfiguration.TLS(caPEM: ca, clientCertificatePEM: Array(node.certificatePEM.utf8), clientKeyPEM: Array("junk".utf8)))
        }
        _ = try await client.list(CoreV1.Pod.self, namespace: "default")
        try await client.shutdown()
        await server.stop()
    }

    @Test func anOpenWatchKeepsDeliveringAfterAReloadUntilTheDrainTimeoutClosesTheOldConnections() async throws {
        var options = KubeTestServer.Options()
        options.bookmarkInterval = .milliseconds(200)
        let server = try await KubeTestServer.start(options)
        let first = try server.issueClientCertificate(user: "system:node:\(Self.nodeName)", groups: ["system:nodes"])
        let second = try server.issueClientCertificate(user: "system:node:\(Self.nodeName)", groups: ["system:nodes"])
        let ca = Array(server.caCertificatePEM.utf8)
        let configuration = KubeClientConfiguration.clientCertificate(
            server: server.url, caPEM: ca, certificatePEM: Array(first.certificatePEM.utf8), keyPEM: Array(first.keyPEM.utf8))
        let transport = try AsyncHTTPTransport(server: server.url, tls: configuration.tls, drainTimeout: .seconds(2))
        let client = try KubeClient(configuration: configuration, transport: transport)
        let list = try await client.list(CoreV1.Pod.self, namespace: "default")
        let stream = try await client.watch(
            CoreV1.Pod.self, namespace: "default", options: ListOptions(resourceVersion: list.resourceVersion, timeoutSeconds: 120))

        try client.reloadTLS(
            KubeClientConfiguration.TLS(caPEM: ca, clientCertificatePEM: Array(second.certificatePEM.utf8), clientKeyPEM: Array(second.keyPEM.utf8)))
        try server.create([
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "a", "namespace": "default"],
            "spec": ["containers": [["name": "c", "image": "busybox"]]],
        ])
        // The watch opened before the reload still delivers, then ends when the old connections
        // are closed after the drain timeout (well before its own 120 s timeout).
        var sawAdded = false
        let opened = ContinuousClock.now
        do {
            for try await event in stream {
                if case .added(let pod) = event, pod.metadata?.name == "a" { sawAdded = true }
            }
        } catch {
            // A closed connection may end the stream with an error; either way it ended.
        }
        #expect(sawAdded)
        #expect(ContinuousClock.now - opened < .seconds(60))
        let pods = try await client.list(CoreV1.Pod.self, namespace: "default")
        #expect(pods.items.count == 1)
        try await client.shutdown()
        await server.stop()
    }

    @Test func aRotatedShortLivedCertificateIsTakenFromTheKubeconfigByTheRunningClient() async throws {
        var options = KubeTestServer.Options()
        options.autoApproveCSRs = true
        let server = try await KubeTestServer.start(options)
        let directory = NSTemporaryDirectory() + "swiftlet-reload-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The first pair is a bootstrap identity's (allowed to make CSRs, not to read pods); the
        // kubeconfig names the store's current symlink, as a bootstrapped node's does.
        let store = KubeletCertificateStore(directory: directory + "/pki")
        let first = try server.issueClientCertificate(user: "system:bootstrap:abcdef", groups: ["system:bootstrappers"])
        try store.update(certificatePEM: first.certificatePEM, keyPEM: first.keyPEM, at: Date())
        let kubeconfig = directory + "/kubeconfig"
        try NodeKubeconfig(server: server.url, caPEM: server.caCertificatePEM, credentialsPath: store.currentPath).write(to: kubeconfig)
        let client = try KubeClient(config: try KubeConfig.load(path: kubeconfig))
        #expect(await forbidsListingPods(client))

        let api = KubeClientBootstrapAPI()
        var flow = NodeBootstrap(api: api, pollInterval: 0.1, approvalTimeout: 60)
        flow.requestedLifetimeSeconds = 600
        let rotator = ClientCertificateRotator(
            flow: flow, store: store, server: server.url, caPEM: server.caCertificatePEM, nodeName: Self.nodeName)
        let issuedAt = Date()
        try await rotator.rotate()
        await api.shutdown()

        // The server honoured expirationSeconds: a 10-minute certificate, due for renewal at
        // 70–90 % of its life.
        let leaf = try #require(try store.current()?.leaf)
        let lifetime = leaf.notValidAfter.timeIntervalSince(issuedAt)
        #expect(lifetime > 500 && lifetime <= 660, "lifetime \(lifetime) s")
        let deadline = try await rotator.nextDeadline()
        let fraction = deadline.timeIntervalSince(leaf.notValidBefore) / leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore)
        #expect(fraction >= 0.7 && fraction <= 0.9)

        try client.reloadTLS(kubeconfig: kubeconfig)
        let pods = try await client.list(CoreV1.Pod.self, namespace: "default")
        #expect(pods.items.isEmpty)
        try await client.shutdown()
        await server.stop()
    }
}
