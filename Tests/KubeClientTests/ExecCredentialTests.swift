import Foundation
import KubeAPI
import Testing

@testable import KubeClient

@Suite("exec credential plugins")
struct ExecCredentialTests {
    /// A plugin script that counts its runs in `counter` and prints a token with that count. It is
    /// run as `/bin/sh SCRIPT` (see ``shell(_:env:)``): executing a file just written can fail with
    /// ETXTBSY while another test's child process still holds an inherited write descriptor.
    func plugin(in directory: String, expiry: String) throws -> String {
        let path = directory + "/plugin.sh"
        let script = """
            #!/bin/sh
            n=$(cat \(directory)/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(directory)/count
            case "$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) ;; *) echo "no exec info" >&2; exit 3;; esac
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-%s-%s","expirationTimestamp":"\(expiry)"}}' "$n" "$REGION"
            """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// The plugin configuration that runs `script` with `/bin/sh`.
    func shell(_ script: String, env: [(name: String, value: String)] = []) -> ExecCredentialConfig {
        ExecCredentialConfig(command: "/bin/sh", args: [script], env: env)
    }

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "exec-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func tokenIsCachedUntilExpiryAndTheRequestCarriesIt() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let command = try plugin(in: dir, expiry: "2999-01-01T00:00:00Z")
        let exec = shell(command, env: [("REGION", "eu")])
        let transport = FakeTransport { _ in json(podJSON("a", resourceVersion: "1")) }
        let client = try makeClient(transport, credentials: .exec(exec))
        _ = try await client.get(CoreV1.Pod.self, name: "a")
        _ = try await client.get(CoreV1.Pod.self, name: "a")
        #expect(transport.requests.map { $0.header("Authorization") } == ["Bearer tok-1-eu", "Bearer tok-1-eu"])
    }

    @Test func expiredTokenAndUnauthorizedAnswerRunThePluginAgain() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let command = try plugin(in: dir, expiry: "2999-01-01T00:00:00Z")
        let exec = shell(command, env: [("REGION", "us")])
        let transport = FakeTransport { request in
            request.header("Authorization") == "Bearer tok-1-us"
                ? json(statusBody(code: 401, reason: "Unauthorized"), status: 401)
                : json(podJSON("a", resourceVersion: "1"))
        }
        let client = try makeClient(transport, credentials: .exec(exec))
        _ = try await client.get(CoreV1.Pod.self, name: "a")
        #expect(transport.requests.map { $0.header("Authorization") } == ["Bearer tok-1-us", "Bearer tok-2-us"])

        let expiring = try plugin(in: dir, expiry: "2000-01-01T00:00:00Z")
        let provider = ExecCredentialProvider(config: shell(expiring), server: "https://h")
        let first = try await provider.credential(refresh: false).token
        let second = try await provider.credential(refresh: false).token
        #expect(first != second)
    }

    @Test func malformedPluginOutputSaysWhatIsMissing() {
        let config = ExecCredentialConfig(command: "plugin")
        let cases: [(String, String)] = [
            ("not json", "expected JSON"),
            (#"{"kind":"Other","apiVersion":"client.authentication.k8s.io/v1"}"#, ".kind"),
            (#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t"}}"#, ".apiVersion"),
            (#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{}}"#, "expected a token"),
            (#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":"soon"}}"#, "RFC 3339"),
        ]
        for (output, expected) in cases {
            #expect(performing: { try ExecCredentialProvider.parse(Array(output.utf8), config: config) }, throws: { error in
                "\(error)".contains(expected)
            })
        }
    }

    @Test func aPluginThatFailsIsReportedWithItsStandardError() async throws {
        let provider = ExecCredentialProvider(
            config: ExecCredentialConfig(command: "/bin/sh", args: ["-c", "echo broken >&2; exit 4"]), server: "https://h")
        await #expect(performing: { _ = try await provider.credential(refresh: false) }, throws: { error in
            "\(error)".contains("exited with 4") && "\(error)".contains("broken")
        })
    }
}
