import Foundation
import Testing

@testable import KubeClient

@Suite("kubeconfig")
struct KubeConfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "kubeconfig-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func currentContextPicksClusterUserAndNamespaceWithFilesRelativeToTheKubeconfig() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/pki", withIntermediateDirectories: true)
        try Self.caPEM.write(toFile: directory + "/pki/ca.crt", atomically: true, encoding: .utf8)
        try "cert".write(toFile: directory + "/pki/client.crt", atomically: true, encoding: .utf8)
        try "key".write(toFile: directory + "/pki/client.key", atomically: true, encoding: .utf8)
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: node
            clusters:
            - name: other
              cluster:
                server: https://elsewhere:6443
            - name: local
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority: pki/ca.crt
                tls-server-name: kubernetes
            users:
            - name: kubelet
              user:
                client-certificate: pki/client.crt
                client-key: pki/client.key
            contexts:
            - name: node
              context:
                cluster: local
                user: kubelet
                namespace: kube-system
            """
        try yaml.write(toFile: directory + "/kubelet.conf", atomically: true, encoding: .utf8)
        let config = try KubeConfig.load(path: directory + "/kubelet.conf")
        let client = try config.clientConfiguration()
        #expect(client.server == "https://10.0.0.1:6443")
        #expect(client.namespace == "kube-system")
        #expect(client.tls.caPEM == Array(Self.caPEM.utf8))
        #expect(client.tls.clientCertificatePEM == Array("cert".utf8))
        #expect(client.tls.clientKeyPEM == Array("key".utf8))
        #expect(client.tls.serverName == "kubernetes")
        #expect(client.credentials == .none)
    }

    @Test func dataFieldsAreBase64AndAContextOverridesTheCurrentOne() throws {
        let ca = Data(Self.caPEM.utf8).base64EncodedString()
        let yaml = """
            current-context: a
            clusters:
            - name: c
              cluster: {server: "https://h:1", certificate-authority-data: \(ca)}
            - name: insecure
              cluster: {server: "https://h:2", insecure-skip-tls-verify: true}
            users:
            - {name: t, user: {token: abc}}
            - {name: f, user: {tokenFile: /run/token}}
            contexts:
            - {name: a, context: {cluster: c, user: t}}
            - {name: b, context: {cluster: insecure, user: f}}
            """
        let config = try KubeConfig.parse(yaml, file: "mem", directory: "/etc")
        let a = try config.clientConfiguration()
        #expect(a.tls.caPEM == Array(Self.caPEM.utf8))
        #expect(a.credentials == .bearerToken("abc"))
        #expect(a.namespace == "default")
        let b = try config.clientConfiguration(context: "b")
        #expect(b.tls.insecureSkipVerify)
        #expect(b.server == "https://h:2")
        #expect(b.credentials == .tokenFile("/run/token"))
    }

    @Test func execPluginIsParsedWithArgsEnvAndRelativeCommand() throws {
        let yaml = """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://h"}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/get-token
                  args: ["--audience", "k8s"]
                  env: [{name: REGION, value: eu}]
                  provideClusterInfo: true
                  interactiveMode: Never
            """
        let config = try KubeConfig.parse(yaml, directory: "/etc/kube")
        guard case .exec(let exec) = try config.clientConfiguration().credentials else {
            Issue.record("expected exec credentials")
            return
        }
        #expect(exec.command == "/etc/kube/./bin/get-token")
        #expect(exec.args == ["--audience", "k8s"])
        #expect(exec.env.map(\.name) == ["REGION"])
        #expect(exec.provideClusterInfo)
    }

    @Test(arguments: [
        ("clusters: {a: 1}", "clusters", "expected a list"),
        ("clusters: [{cluster: {server: x}}]", "clusters[0].name", "non-empty name"),
        ("users: [{name: u, user: {client-key-data: '%%%'}}]", "users[0].user.client-key-data", "base64"),
        ("clusters: [{name: c, cluster: {insecure-skip-tls-verify: maybe}}]", "clusters[0].cluster.insecure-skip-tls-verify", "true or false"),
        ("kind: Pod", "kind", "\"Config\""),
        ("users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v9, command: x}}}]", "users[0].user.exec.apiVersion", "client.authentication.k8s.io/v1"),
        ("clusters: [\n  - bad", "", "expected YAML"),
    ])
    func badInputNamesTheFileTheFieldAndWhatWasExpected(yaml: String, field: String, expected: String) {
        #expect {
            _ = try KubeConfig.parse(yaml, file: "/etc/kubelet.conf")
        } throws: { error in
            guard let error = error as? KubeConfigError else { return false }
            return error.file == "/etc/kubelet.conf" && error.field == field && error.description.contains(expected)
        }
    }

    @Test func missingPiecesOfTheContextAreNamed() throws {
        let config = try KubeConfig.parse(
            """
            current-context: x
            contexts: [{name: x, context: {cluster: gone, user: u}}]
            """, file: "k.conf")
        let error = #expect(throws: KubeConfigError.self) { try config.clientConfiguration() }
        #expect(error?.description.contains("cluster named \"gone\"") == true)
        let noContext = #expect(throws: KubeConfigError.self) { try KubeConfig.parse("{}").clientConfiguration() }
        #expect(noContext?.field == "current-context")
        let missingFile = #expect(throws: KubeConfigError.self) { try KubeConfig.load(path: "/nonexistent/kubelet.conf") }
        #expect(missingFile?.description.contains("/nonexistent/kubelet.conf") == true)
    }

    @Test func aReferencedFileThatIsMissingIsNamedWithItsField() throws {
        let config = try KubeConfig.parse(
            """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://h", certificate-authority: ca.crt}}]
            contexts: [{name: x, context: {cluster: c}}]
            """, file: "/d/k.conf", directory: "/d")
        let error = #expect(throws: KubeConfigError.self) { try config.clientConfiguration() }
        #expect(error?.file == "/d/ca.crt")
        #expect(error?.field == "clusters[c].cluster.certificate-authority")
    }

    @Test func writtenKubeconfigReadsBackTheSameAndIsPrivate() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = KubeConfig(
            clusters: [("default-cluster", .init(server: "https://10.0.0.1:6443", certificateAuthorityData: Array(Self.caPEM.utf8)))],
            users: [("default-auth", .init(clientCertificate: "/var/lib/swiftlet/pki/kubelet-client-current.pem", clientKey: "/var/lib/swiftlet/pki/kubelet-client-current.pem"))],
            contexts: [("default-context", .init(cluster: "default-cluster", user: "default-auth", namespace: "default"))],
            currentContext: "default-context")
        let path = directory + "/kubelet.conf"
        try config.write(to: path)
        try config.write(to: path)  // over an existing file, still atomically
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let reread = try KubeConfig.load(path: path)
        #expect(reread == config)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func kubectlReadsTheWrittenKubeconfig() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = KubeConfig(
            clusters: [("c", .init(server: "https://10.1.2.3:6443", insecureSkipTLSVerify: true))],
            users: [("u", .init(token: "abc.def"))], contexts: [("x", .init(cluster: "c", user: "u"))],
            currentContext: "x")
        try config.write(to: directory + "/config")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/kubectl")
        process.arguments = ["--kubeconfig", directory + "/config", "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server} {.contexts[0].context.user}"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output == "https://10.1.2.3:6443 u")
    }
}
