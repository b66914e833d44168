import Foundation
import KubeAPI
import KubeClient

/// Shared inputs of the bootstrap tests.
enum BootstrapFixtures {
    static let token = try! BootstrapToken("abcdef.0123456789abcdef")
    static let server = "https://10.0.0.1:6443"

    /// The kubeconfig kubeadm puts in `cluster-info` for `ca`.
    static func clusterInfoKubeconfig(ca: BootstrapTestCA, server: String = server) -> String {
        """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: \(Data(ca.caPEM.utf8).base64EncodedString())
            server: \(server)
          name: ""
        contexts: null
        current-context: ""
        kind: Config
        preferences: {}
        users: null

        """
    }

    /// `cluster-info` signed for `tokens`.
    static func clusterInfo(ca: BootstrapTestCA, signedFor tokens: [BootstrapToken] = [token], kubeconfig: String? = nil) -> ConfigMap {
        let content = kubeconfig ?? clusterInfoKubeconfig(ca: ca)
        var data = ["kubeconfig": content]
        for token in tokens { data["jws-kubeconfig-\(token.id)"] = ClusterInfoSignature.sign(content: content, token: token) }
        return ConfigMap(data: data, metadata: MetaV1.ObjectMeta(name: "cluster-info", namespace: "kube-public"))
    }

    /// Writes `caPEM` to `<directory>/ca.crt` and a bootstrap kubeconfig for `server` with a
    /// bearer `token` that names it (relatively) to `<directory>/bootstrap-kubeconfig`; returns its path.
    static func writeBootstrapKubeconfig(in directory: String, server: String, caPEM: String, token: String) throws -> String {
        try caPEM.write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
        let path = directory + "/bootstrap-kubeconfig"
        try """
            apiVersion: v1
            kind: Config
            clusters:
            - name: bootstrap
              cluster: {server: "\(server)", certificate-authority: ca.crt}
            users:
            - name: kubelet-bootstrap
              user: {token: \(token)}
            contexts:
            - name: bootstrap
              context: {cluster: bootstrap, user: kubelet-bootstrap}
            current-context: bootstrap
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh directory removed after `body`.
    static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-join-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// The permission bits of `path` (not following a final symlink when `link`).
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
    }

    /// Every entry under `path`, recursively.
    static func entries(_ path: String) -> [String] {
        (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
    }
}

/// A fake cluster for the flow tests: a CA, a manual clock, the fake API serving `cluster-info`
/// signed for ``BootstrapFixtures/token``, and the flow over them.
struct FakeCluster {
    let ca: BootstrapTestCA
    let clock: ManualBootstrapClock
    let api: FakeBootstrapAPI
    let flow: NodeBootstrap
    let pin: CACertificatePin

    init(approvalTimeout: TimeInterval = 60) throws {
        ca = try BootstrapTestCA()
        clock = ManualBootstrapClock()
        api = FakeBootstrapAPI(ca: ca, clock: clock, clusterInfo: BootstrapFixtures.clusterInfo(ca: ca))
        flow = NodeBootstrap(api: api, clock: clock, pollInterval: 1, approvalTimeout: approvalTimeout)
        pin = try CACertificatePin(certificateDER: ca.caDER)
    }

    /// A join of `worker-1` writing under `root`.
    func request(root: String, pins: [CACertificatePin]? = nil) -> NodeBootstrap.JoinRequest {
        NodeBootstrap.JoinRequest(
            server: BootstrapFixtures.server, token: BootstrapFixtures.token, pins: pins ?? [pin], nodeName: "worker-1",
            kubeconfigPath: root + "/etc/kubeconfig", certificateDirectory: root + "/pki")
    }

    /// The kubelet's bootstrap-kubeconfig path for `worker-1` under `root`; returns the store.
    func bootstrap(root: String) async throws -> KubeletCertificateStore {
        let bootstrap = BootstrapEndpoint(server: BootstrapFixtures.server, caPEM: ca.caPEM, credentials: .bearerToken(BootstrapFixtures.token.bearerToken))
        _ = try await flow.loadOrBootstrap(kubeconfigPath: root + "/kubeconfig", bootstrap: bootstrap, nodeName: "worker-1", certificateDirectory: root + "/pki")
        return KubeletCertificateStore(directory: root + "/pki")
    }
}
