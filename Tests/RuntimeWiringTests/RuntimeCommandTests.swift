// `swiftlet runtime` and `swiftlet network status` as a user runs them: the real executable as a
// subprocess, a configuration file the test writes (state in a temporary directory, the pod
// network's node in a network namespace the test created), crictl-shaped spec files.

import Foundation
import Netlink
import RuntimeWiring
import TestSupport
import Testing

@Suite("swiftlet runtime CLI", .serialized, .requires(.root, .command("tar"), .path("/usr/bin/busybox")))
struct RuntimeCommandTests {
    static let tag = "registry.test/busybox:cli"

    @Test func runpCreateStartPsLogsExecStopRmRmpDriveAContainerAcrossInvocations() async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            do {
                try await runEverything(fixture: fixture, node: spaces[0])
            } catch {
                await fixture.tearDown(nil)
                throw error
            }
            await fixture.tearDown(nil)
        }
    }

    /// Everything from the configuration file to `rmp`; the caller removes the fixture.
    func runEverything(fixture: WiringFixture, node: NetworkNamespace) async throws {
        let swiftlet = WiringFixture.productsDirectory + "/swiftlet"
        try #require(FileManager.default.isExecutableFile(atPath: swiftlet), "\(swiftlet) is not built")
        let config = fixture.root + "/config.yaml"
        try """
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            stateDir: \(fixture.root)/state
            runDir: \(fixture.root)/run
            apiSocket: \(fixture.root)/run/swiftlet.sock
            images:
              storeDir: \(fixture.imageStore)
            podNetwork:
              bridgeName: swtc0
              podCIDRs: [10.78.0.0/24]
              nodeNetworkNamespace: \(node.path)
            ---
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            cgroupRoot: /\(fixture.cgroupParent)

            """.write(toFile: config, atomically: true, encoding: .utf8)
        // `--config` right after the subcommand, before any passthrough arguments (exec's command).
        func cli(_ arguments: [String]) throws -> String {
            try BusyboxLayout.run(swiftlet, Array(arguments.prefix(2)) + ["--config", config] + arguments.dropFirst(2))
        }

        let layout = fixture.root + "/layout"
        try BusyboxLayout.write(to: layout, tag: Self.tag, defaults: .init(env: ["PATH=/bin"], cmd: ["sh"]))
        let imported = try BusyboxLayout.run(swiftlet, ["images", "import", "--root", fixture.imageStore, layout])
        #expect(imported.hasPrefix(Self.tag + ": sha256:"))

        let podSpec = fixture.root + "/pod.json"
        try """
            {"metadata": {"name": "cli-pod", "namespace": "default", "uid": "cli-pod-uid", "attempt": 1},
             "log_directory": "\(fixture.logRoot)/cli-pod", "linux": {}}
            """.write(toFile: podSpec, atomically: true, encoding: .utf8)
        let containerSpec = fixture.root + "/container.yaml"
        try """
            metadata: {name: busybox}
            image: {image: "\(Self.tag)"}
            command: [sh, -c, "echo started; echo to-stderr >&2; while true; do sleep 1; done"]
            envs: [{key: GREETING, value: hello-from-env}]
            log_path: busybox.0.log
            linux: {}

            """.write(toFile: containerSpec, atomically: true, encoding: .utf8)

        // Listing starts nothing on the node's network: no bridge until a pod is attached.
        #expect(try cli(["runtime", "pods", "-q"]).isEmpty)
        #expect(try NetlinkSocket(in: node).link(named: "swtc0") == nil)
        let pod = try cli(["runtime", "runp", podSpec]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try NetlinkSocket(in: node).link(named: "swtc0") != nil)
        do {
            try await driveContainer(pod: pod, podSpec: podSpec, containerSpec: containerSpec, cli: cli)
        } catch {
            _ = try? cli(["runtime", "rmp", pod])
            throw error
        }
        #expect(try cli(["runtime", "pods", "-q"]).isEmpty)
        #expect(try cli(["network", "status"]).contains("leases:   0"))
        #expect(WiringFixture.monitorCount(under: fixture.root) == 0)
    }

    /// create … rmp of one container in the sandbox `pod`, each step a separate invocation.
    func driveContainer(pod: String, podSpec: String, containerSpec: String, cli: ([String]) throws -> String) async throws {
            #expect(pod.count == 64)
            let container = try cli(["runtime", "create", pod, containerSpec, podSpec]).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try cli(["runtime", "start", String(container.prefix(12))]).contains(container))

            #expect(try cli(["runtime", "ps", "-q"]).split(separator: "\n") == [Substring(container)])
            #expect(try cli(["runtime", "pods", "--namespace", "default"]).contains("cli-pod"))
            let inspectp = try cli(["runtime", "inspectp", pod])
            let ip = try #require(inspectp.firstMatch(of: /"ip" : "(10\.78\.0\.\d+)"/)?.1)
            let status = try cli(["network", "status"])
            #expect(status.contains(String(ip)) && status.contains("default/cli-pod"))

            // The log fills as the container runs; the first line is there within a few seconds.
            var logs = ""
            for _ in 0..<50 where !logs.contains("started") {
                logs = try cli(["runtime", "logs", container])
                if !logs.contains("started") { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(logs == "started\n")
            #expect(try cli(["runtime", "exec", container, "--", "sh", "-c", "echo $GREETING; hostname"]) == "hello-from-env\ncli-pod\n")
            #expect(try cli(["runtime", "stats", container]).contains("busybox"))
            #expect(try cli(["runtime", "inspect", container]).contains("\"CONTAINER_RUNNING\""))

            _ = try cli(["runtime", "stop", "-t", "1", container])
            #expect(try cli(["runtime", "ps", "-q"]).isEmpty)
            #expect(try cli(["runtime", "ps", "-a"]).contains("Exited"))
            _ = try cli(["runtime", "rm", container])
            #expect(try cli(["runtime", "ps", "-a", "-q"]).isEmpty)
            _ = try cli(["runtime", "stopp", pod])
            _ = try cli(["runtime", "rmp", pod])
    }
}
