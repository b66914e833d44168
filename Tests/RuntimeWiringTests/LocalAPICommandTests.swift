// `swiftlet pods`, `logs` and `exec` against a running `swiftlet run` (the real executables, the
// agent in a network namespace the test created, as in AgentStaticPodTests): the commands reach
// the agent through its local API socket only.

import Foundation
import KubeAPI
import TestSupport
import Testing

@Suite("swiftlet pods, logs and exec through the local API", .serialized,
       .requires(.root, .command("tar"), .command("nsenter"), .command("nft"), .command("ip"), .path("/usr/bin/busybox")))
struct LocalAPICommandTests {
    static let tag = "registry.test/busybox:localapi"

    @Test func podsListGetLogsAndExecReachTheRunningAgentThroughItsSocket() async throws {
        try await AgentStaticPodTests.withAgent(tag: Self.tag) { try await runScenario($0) }
    }

    /// Runs `swiftlet ARGS --config CONFIG`; returns the exit status, standard output and error.
    static func swiftlet(_ arguments: [String], config: String, input: String? = nil) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: WiringFixture.productsDirectory + "/swiftlet")
        let split = arguments.firstIndex(of: "--") ?? arguments.endIndex
        process.arguments = Array(arguments[..<split]) + ["--config", config] + Array(arguments[split...])
        // Standard error goes to a file, so neither pipe can fill while the other is read.
        let errorsPath = NSTemporaryDirectory() + "swiftlet-localapi-\(UUID().uuidString.prefix(8)).err"
        try #require(FileManager.default.createFile(atPath: errorsPath, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
        defer { try? errors.close() }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), errorText)
    }

    func runScenario(_ scenario: AgentScenario) async throws {
        let (fixture, agent, swiftletPath, config, manifests) = (
            scenario.fixture, scenario.agent, scenario.swiftlet, scenario.config, scenario.manifests)
        let socket = fixture.root + "/run/swiftlet.sock"
        func cli(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, errors: String) {
            try Self.swiftlet(arguments, config: config, input: input)
        }

        // Before the agent runs: one clear line, exit 1.
        let notRunning = try cli(["pods", "list"])
        #expect(notRunning.status == 1)
        #expect(notRunning.errors.contains("cannot reach the swiftlet agent at \(socket)"))
        #expect(notRunning.errors.split(separator: "\n").count == 1)

        try scenario.startAgent()
        // `talker` prints one line and then whatever exec writes to its stdout; `crasher` fails
        // its first run (counted in an emptyDir, which outlives the container) and then stays up.
        try """
            apiVersion: v1
            kind: Pod
            metadata: {name: talker, namespace: default}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: \(Self.tag)
                imagePullPolicy: Never
                command: [sh, -c, "echo first-line; while true; do sleep 1; done"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher, namespace: default}
            spec:
              terminationGracePeriodSeconds: 1
              volumes: [{name: data, emptyDir: {}}]
              containers:
              - name: main
                image: \(Self.tag)
                imagePullPolicy: Never
                volumeMounts: [{name: data, mountPath: /data}]
                command: [sh, -c, "n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo attempt-$n; [ $n -gt 1 ] || exit 1; while true; do sleep 1; done"]

            """.write(toFile: manifests + "/pods.yaml", atomically: true, encoding: .utf8)

        // The socket is the owner's only.
        var status = stat()
        _ = try await AgentStaticPodTests.eventually("the socket exists", agent: agent) { stat(socket, &status) == 0 ? true : nil }
        #expect(status.st_mode & 0o777 == 0o600)

        // pods list: kubectl's wide columns, the pod Running with 1/1 ready and its IP.
        let table = try await AgentStaticPodTests.eventually("pods list shows talker running and ready", agent: agent) { () -> String? in
            let result = try cli(["pods", "list"])
            return result.output.contains(/talker-\S+ +1\/1 +Running +0 +\S+ +10\.79\.0\.\d+ +\S+ +<none> +<none>/) ? result.output : nil
        }
        #expect(table.hasPrefix("NAME"))
        #expect(table.contains("READY") && table.contains("NOMINATED NODE") && table.contains("READINESS GATES"))
        let podName = try #require(table.firstMatch(of: /talker-\S+/)).output
        let allNamespaces = try cli(["pods", "list", "-A"])
        #expect(allNamespaces.output.hasPrefix("NAMESPACE"))
        #expect(allNamespaces.output.contains(/default +talker-/))

        // pods get -o json decodes to the pod, with its status; -o yaml names it too.
        let json = try cli(["pods", "get", String(podName), "-o", "json"])
        #expect(json.status == 0)
        let pod = try CoreV1.Pod(from: JSONParser.parse(Array(json.output.utf8)), context: .lax)
        #expect(pod.metadata?.name == String(podName))
        #expect(pod.status?.phase == "Running")
        #expect(pod.spec?.containers.first?.name == "main")
        #expect(try cli(["pods", "get", String(podName), "-o", "yaml"]).output.contains("name: \(podName)"))
        let missing = try cli(["pods", "get", "no-such-pod"])
        #expect(missing.status == 1)
        #expect(missing.errors == "Error: pods \"no-such-pod\" not found in namespace \"default\"\n")

        // logs: the message text only.
        let logs = try cli(["logs", String(podName)])
        #expect(logs.status == 0)
        #expect(logs.output == "first-line\n")
        let badContainer = try cli(["logs", String(podName), "-c", "sidecar"])
        #expect(badContainer.status == 1)
        #expect(badContainer.errors.contains("container sidecar is not valid for pod \(podName)"))

        // exec: output and exit code.
        let echo = try cli(["exec", String(podName), "--", "echo", "hello", "from exec"])
        #expect(echo.status == 0)
        #expect(echo.output == "hello from exec\n")
        let three = try cli(["exec", String(podName), "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(three.status == 3)
        #expect(three.output == "out\n")
        #expect(three.errors == "err\n")
        // -i: standard input reaches the command, and its end ends `cat`.
        let cat = try cli(["exec", "-i", String(podName), "--", "sh", "-c", "cat; echo done"], input: "line one\nline two\n")
        #expect(cat.status == 0)
        #expect(cat.output == "line one\nline two\ndone\n")
        let missingPod = try cli(["exec", "no-such-pod", "--", "true"])
        #expect(missingPod.status == 1)
        #expect(missingPod.errors == "Error: pods \"no-such-pod\" not found in namespace \"default\"\n")

        // logs -f prints the lines so far, then a line written later.
        let followPath = fixture.root + "/follow.out"
        try #require(FileManager.default.createFile(atPath: followPath, contents: nil))
        let followOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: followPath))
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: swiftletPath)
        follower.arguments = ["logs", "-f", String(podName), "--config", config]
        follower.standardOutput = followOutput
        follower.standardError = followOutput
        try follower.run()
        try followOutput.close()
        defer { if follower.isRunning { follower.terminate(); follower.waitUntilExit() } }
        func followed() -> String { (try? String(contentsOfFile: followPath, encoding: .utf8)) ?? "" }
        _ = try await AgentStaticPodTests.eventually("logs -f prints the first line", agent: agent) { followed() == "first-line\n" ? true : nil }
        #expect(try cli(["exec", String(podName), "--", "sh", "-c", "echo followed-line > /proc/1/fd/1"]).status == 0)
        _ = try await AgentStaticPodTests.eventually("logs -f prints the new line", agent: agent) {
            followed() == "first-line\nfollowed-line\n" ? true : nil
        }
        #expect(follower.isRunning)

        // --previous: the log of the instance before the restart.
        let crasher = try await AgentStaticPodTests.eventually("crasher restarted and runs", agent: agent) { () -> String? in
            let result = try cli(["pods", "list"])
            return result.output.firstMatch(of: /(crasher-\S+) +1\/1 +Running +1 \(/).map { String($0.output.1) }
        }
        #expect(try cli(["logs", crasher]).output == "attempt-2\n")
        #expect(try cli(["logs", crasher, "--previous"]).output == "attempt-1\n")
        #expect(try cli(["logs", String(podName), "--tail", "1"]).output == "followed-line\n")
        #expect(try cli(["logs", String(podName), "--limit-bytes", "5"]).output == "first")
        let noPrevious = try cli(["logs", String(podName), "--previous"])
        #expect(noPrevious.status == 1)
        #expect(noPrevious.errors.contains("previous terminated container \"main\" in pod \"\(podName)\" not found"))

        // The socket goes with the agent.
        try FileManager.default.removeItem(atPath: manifests + "/pods.yaml")
        _ = try await AgentStaticPodTests.eventually("the pods are removed", agent: agent) { () -> Bool? in
            try cli(["pods", "list", "-A"]).errors.contains("No resources found") ? true : nil
        }
        #expect(agent.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
    }
}
