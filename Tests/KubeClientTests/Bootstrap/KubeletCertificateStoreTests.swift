import Foundation
import KubeClient
import Testing

@Suite struct KubeletCertificateStoreTests {
    static func issuedPair(ca: BootstrapTestCA, node: String = "worker-1", notBefore: Date = Date()) throws -> (String, String) {
        let request = try NodeCertificateRequest(nodeName: node)
        return (try ca.sign(requestPEM: request.requestPEM, notBefore: notBefore, lifetime: 3600), request.privateKeyPEM)
    }

    @Test func pairIsWrittenPrivatelyAndCurrentSymlinkPointsAtIt() async throws {
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let ca = try BootstrapTestCA()
            let store = KubeletCertificateStore(directory: root + "/pki")
            let (certificate, key) = try Self.issuedPair(ca: ca)
            let date = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21 14:13:20 UTC
            let path = try store.update(certificatePEM: certificate, keyPEM: key, at: date)

            #expect(path == root + "/pki/kubelet-client-2026-09-21-14-13-20.pem")
            #expect(try BootstrapFixtures.mode(root + "/pki") == 0o700)
            #expect(try BootstrapFixtures.mode(path) == 0o600)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: store.currentPath) == path)
            let contents = try String(contentsOfFile: store.currentPath, encoding: .utf8)
            #expect(contents.hasPrefix("-----BEGIN CERTIFICATE-----"))
            #expect(contents.contains("-----BEGIN PRIVATE KEY-----"))
            let current = try #require(try store.current())
            #expect(current.leaf.subject.description.contains("CN=system:node:worker-1"))
            #expect(BootstrapFixtures.entries(root + "/pki") == ["kubelet-client-2026-09-21-14-13-20.pem", "kubelet-client-current.pem"])
        }
    }

    @Test func secondUpdateSwapsTheSymlinkAndKeepsTheOldPair() async throws {
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let ca = try BootstrapTestCA()
            let store = KubeletCertificateStore(directory: root)
            let first = try Self.issuedPair(ca: ca)
            let second = try Self.issuedPair(ca: ca)
            let date = Date(timeIntervalSince1970: 1_790_000_000)
            let firstPath = try store.update(certificatePEM: first.0, keyPEM: first.1, at: date)
            let secondPath = try store.update(certificatePEM: second.0, keyPEM: second.1, at: date.addingTimeInterval(61))
            #expect(firstPath != secondPath)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: store.currentPath) == secondPath)
            let currentKey = try #require(try store.current()).keyPEM
            #expect(currentKey.trimmingCharacters(in: .whitespacesAndNewlines) == second.1.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(FileManager.default.fileExists(atPath: firstPath))
            #expect(!BootstrapFixtures.entries(root).contains { $0.contains(".tmp-") })
        }
    }

    @Test func currentPathThatIsARegularFileIsNeverReplaced() async throws {
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let ca = try BootstrapTestCA()
            let store = KubeletCertificateStore(directory: root)
            try "mine".write(toFile: store.currentPath, atomically: false, encoding: .utf8)
            let pair = try Self.issuedPair(ca: ca)
            #expect {
                try store.update(certificatePEM: pair.0, keyPEM: pair.1, at: Date())
            } throws: { error in
                (error as? BootstrapError)?.description.contains("exists and is not a symlink") == true
            }
            #expect(try String(contentsOfFile: store.currentPath, encoding: .utf8) == "mine")
        }
    }

    @Test func pemWithoutCertificateOrKeyIsRefusedAndNothingWritten() async throws {
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let store = KubeletCertificateStore(directory: root + "/pki")
            let pair = try Self.issuedPair(ca: try BootstrapTestCA())
            #expect(throws: BootstrapError.credentials("the key PEM holds no PRIVATE KEY block")) {
                try store.update(certificatePEM: pair.0, keyPEM: pair.0, at: Date())
            }
            #expect(throws: BootstrapError.credentials("the issued certificate PEM holds no CERTIFICATE block")) {
                try store.update(certificatePEM: pair.1, keyPEM: pair.1, at: Date())
            }
            #expect(!FileManager.default.fileExists(atPath: root + "/pki"))
            #expect(try store.current() == nil)
        }
    }

    @Test func kubeconfigNamesTheCurrentPairAndIsPrivate() async throws {
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let ca = try BootstrapTestCA()
            let kubeconfig = NodeKubeconfig(server: "https://10.0.0.1:6443", caPEM: ca.caPEM, credentialsPath: root + "/pki/kubelet-client-current.pem")
            let path = root + "/etc/swiftlet/kubeconfig"
            try kubeconfig.write(to: path)
            #expect(try BootstrapFixtures.mode(path) == 0o600)
            let loaded = try KubeConfig.load(path: path)
            #expect(loaded.currentContext == "default-context")
            #expect(loaded.context(named: "default-context") == KubeConfig.Context(cluster: "default-cluster", user: "default-auth", namespace: "default"))
            #expect(loaded.user(named: "default-auth")?.clientCertificate == root + "/pki/kubelet-client-current.pem")
            #expect(loaded.user(named: "default-auth")?.clientKey == root + "/pki/kubelet-client-current.pem")
            let parsed = try ClusterInfo.parse(kubeconfig: try String(contentsOfFile: path, encoding: .utf8))
            #expect(parsed.server == "https://10.0.0.1:6443")
            #expect(parsed.caPEM == ca.caPEM)
        }
    }
}
