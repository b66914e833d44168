import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `swiftlet` executable, run as a subprocess the way systemd and people run it.
@Suite(.serialized) struct SwiftletCommandTests {
    /// A configuration that keeps every path in `directory` and lets the kernel pick the healthz port.
    /// No static pods: the pod side (runtime, pod network) does not start, so the machine's own
    /// network is not touched (`AgentStaticPodTests` runs the agent with pods, in a namespace).
    private func testConfiguration(in directory: TemporaryDirectory) throws -> String {
        try directory.write(
            "config.yaml",
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            healthzBindAddress: 127.0.0.1
            healthzPort: 0
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            stateDir: \(directory.path)/state
            runDir: \(directory.path)/run
            apiSocket: \(directory.path)/run/swiftlet.sock
            """)
    }

    @Test func runAnswersHealthzSendsReadyAndStopsWithinOneSecondOfSIGTERM() async throws {
        let binary = try Repository.swiftletBinary()
        let directory = try TemporaryDirectory()
        let config = try testConfiguration(in: directory)
        let notify = try DatagramReceiver(path: directory.file("notify.sock"))

        let agent = try ChildProcess(binary, ["run", "--config", config], environment: ["NOTIFY_SOCKET": notify.address])
        let port = try await agent.waitForStandardError(timeout: .seconds(20)) { text -> Int? in
            guard let range = text.range(of: "healthz server listening address=127.0.0.1:") else { return nil }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            return Int(digits)
        }
        #expect(notify.receive(timeout: .seconds(10))?.hasPrefix("READY=1") == true)

        let healthz = try httpGet(host: "127.0.0.1", port: port, path: "/healthz")
        #expect(healthz.status == 200)
        #expect(healthz.body == "ok")
        #expect(try httpGet(host: "127.0.0.1", port: port, path: "/").status == 404)

        let clock = ContinuousClock()
        let start = clock.now
        agent.signal(SIGTERM)
        let status = try await agent.waitForExit(timeout: .seconds(5))
        let elapsed = try #require(agent.exitInstant) - start
        #expect(status == 0, "stderr: \(agent.standardError)")
        #expect(elapsed < .seconds(1), "stopped after \(elapsed)")
        #expect(notify.receive(timeout: .seconds(1))?.hasPrefix("STOPPING=1") == true)
    }

    @Test func runWithABadConfigurationExits2NamingTheFieldAndStartsNothing() async throws {
        let binary = try Repository.swiftletBinary()
        let directory = try TemporaryDirectory()
        let config = try directory.write(
            "bad.yaml",
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            healthzPort: 0
            maxPods: many
            """)
        let notify = try DatagramReceiver(path: directory.file("notify.sock"))
        let result = try await runToCompletion(binary, ["run", "--config", config], environment: ["NOTIFY_SOCKET": notify.address])
        #expect(result.status == 2)
        #expect(result.error.contains("\(config):4: KubeletConfiguration: maxPods: expected integer"))
        #expect(!result.error.contains("healthz server listening"))
        #expect(notify.receive(timeout: .milliseconds(200)) == nil)
    }

    @Test func configCheckAcceptsTheShippedFiles() async throws {
        let binary = try Repository.swiftletBinary()
        for file in ["Config/swiftlet.yaml", "Config/standalone.yaml"] {
            let path = Repository.root + "/" + file
            let result = try await runToCompletion(binary, ["config", "check", path])
            #expect(result.status == 0, "\(file): \(result.error)")
            #expect(result.output == "\(path): ok\n")
        }
    }

    @Test func configCheckRejectsAnUnknownFieldWithExitCode2() async throws {
        let binary = try Repository.swiftletBinary()
        let directory = try TemporaryDirectory()
        let config = try directory.write(
            "unknown.yaml",
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            ipvs:
              scheduler: rr
            """)
        let result = try await runToCompletion(binary, ["config", "check", config])
        #expect(result.status == 2)
        #expect(result.error.contains("\(config):3: KubeProxyConfiguration: ipvs: unknown field"))
        #expect(result.error.contains("not supported by swiftlet"))
    }

    @Test func configDefaultsPrintsAllThreeDocumentsWhichCheckAccepts() async throws {
        let binary = try Repository.swiftletBinary()
        let result = try await runToCompletion(binary, ["config", "defaults"])
        #expect(result.status == 0)
        for kind in ["KubeletConfiguration", "KubeProxyConfiguration", "SwiftletConfiguration"] {
            #expect(result.output.contains("kind: \(kind)\n"))
        }
        let directory = try TemporaryDirectory()
        let path = try directory.write("defaults.yaml", result.output)
        #expect(try await runToCompletion(binary, ["config", "check", path]).status == 0)
    }

    @Test func usageErrorsExitWith2() async throws {
        let binary = try Repository.swiftletBinary()
        #expect(try await runToCompletion(binary, ["run", "--no-such-flag"]).status == 2)
        #expect(try await runToCompletion(binary, ["frobnicate"]).status == 2)
    }

    @Test func helpWorksOnEveryLevel() async throws {
        let binary = try Repository.swiftletBinary()
        for arguments in [["--help"], ["run", "--help"], ["config", "--help"], ["config", "check", "--help"], ["manifest", "check", "--help"]] {
            let result = try await runToCompletion(binary, arguments)
            #expect(result.status == 0, "\(arguments)")
            #expect(result.output.contains("USAGE:"), "\(arguments)")
        }
    }

    @Test func versionNamesSwiftAndTheKubernetesSchema() async throws {
        let result = try await runToCompletion(try Repository.swiftletBinary(), ["version"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("swiftlet "))
        #expect(result.output.contains("swift: 6."))
        #expect(result.output.contains("kubernetes api schema: v1."))
    }
}
