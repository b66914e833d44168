import Foundation
import KubeAPI
import KubeTestServer
import TestSupport
import Testing

/// The installed kubectl, run against the test server with an admin kubeconfig (client certificate).
@Suite("KubeTestServer with the real kubectl", .requires(.command("kubectl")))
struct KubectlFidelityTests {
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs kubectl with `arguments` in its own home, so no cache or config
    /// of the machine's user takes part. Output goes to files and the exit is awaited through the
    /// termination handler, so no thread of the test's pool blocks while kubectl talks to the server.
    static func kubectl(_ arguments: [String], kubeconfig: String, home: String) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Requirement.executablePath(named: "kubectl")))
        process.arguments = ["--kubeconfig", kubeconfig, "--request-timeout=30s"] + arguments
        process.environment = ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let outputPath = home + "/stdout-\(UUID().uuidString)"
        let errorPath = home + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try output.close()
        try errors.close()
        return Outcome(
            status: status, output: try String(contentsOfFile: outputPath, encoding: .utf8),
            errors: try String(contentsOfFile: errorPath, encoding: .utf8))
    }

    @Test func kubectlGetsCreatesAndDeletesPodsAndNodes() async throws {
        let server = try await KubeTestServer.start()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let kubeconfig = home + "/admin.conf"
        do {
            try server.writeAdminKubeconfig(to: kubeconfig)
            func run(_ arguments: [String]) async throws -> Outcome {
                let outcome = try await Self.kubectl(arguments, kubeconfig: kubeconfig, home: home)
                #expect(outcome.status == 0, "kubectl \(arguments.joined(separator: " ")): \(outcome.errors)")
                return outcome
            }
            try server.create([
                "apiVersion": "v1", "kind": "Node", "metadata": ["name": "worker-1"],
                "status": ["conditions": [["type": "Ready", "status": "True"]], "nodeInfo": ["kubeletVersion": "v1.32.0"]],
            ])
            try server.create(pod("existing", node: "worker-1"))

            let pods = try await run(["get", "pods"])
            #expect(pods.output.contains("NAME"))
            #expect(pods.output.contains("existing"))
            #expect(pods.output.contains("Pending"))
            let nodes = try await run(["get", "nodes"])
            #expect(nodes.output.contains("worker-1"))

            let manifest = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: from-kubectl
                  labels:
                    app: demo
                spec:
                  containers:
                  - name: app
                    image: busybox:1.36
                    command: ["sleep", "3600"]
                """
            let file = home + "/pod.yaml"
            try manifest.write(toFile: file, atomically: true, encoding: .utf8)
            let created = try await run(["create", "-f", file])
            #expect(created.output.contains("pod/from-kubectl created"))
            let stored = try #require(try server.get("pods", namespace: "default", name: "from-kubectl"))
            #expect(stored["spec"]?["containers"]?.arrayValue?.first?["command"] == ["sleep", "3600"])

            let json = try await run(["get", "pods", "-o", "json"])
            let list = try JSONParser.parse(Array(json.output.utf8))
            #expect(list["kind"] == "List")
            let names = list["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue }.sorted()
            #expect(names == ["existing", "from-kubectl"])
            #expect(list["items"]?.arrayValue?.first?["kind"] == "Pod")

            let yaml = try await run(["get", "pod", "from-kubectl", "-o", "yaml"])
            #expect(yaml.output.contains("name: from-kubectl"))
            #expect(yaml.output.contains("app: demo"))

            let deleted = try await run(["delete", "pod", "from-kubectl"])
            #expect(deleted.output.contains("pod \"from-kubectl\" deleted"))
            #expect(try server.get("pods", namespace: "default", name: "from-kubectl") == nil)
            let nodeDeleted = try await run(["delete", "node", "worker-1"])
            #expect(nodeDeleted.output.contains("node \"worker-1\" deleted"))
            #expect(try server.get("nodes", name: "worker-1") == nil)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
