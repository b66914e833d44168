// A joined agent under control-plane faults, end to end against the test control plane in a
// node network namespace: the API server gone for a minute and back with its history compacted,
// a ConfigMap changed under a running pod, and a dropped watch followed by a malformed pod.

import Foundation
import KubeAPI
import KubeTestServer
import TestSupport
import Testing

@Suite(
    "a joined agent rides out control-plane faults", .serialized,
    .requires(.root, .command("tar"), .command("nsenter"), .command("nft"), .command("ip"), .path("/usr/bin/busybox")))
struct AgentControlPlaneRobustnessTests {
    @Test func theAPIServerGoneForAMinuteLeavesPodsRunningAndTheNodeRecoversWhenItReturns() async throws {
        try await AgentControlPlaneHarness.with { harness in
            let server = harness.server
            let config = try await harness.startJoinedAgent()
            try harness.createPod("steady", script: "exec sleep 600")
            try await harness.waitUntilRunning("steady")
            let before = try Self.runningContainers(harness, config: config)
            #expect(before.count == 1)

            await server.stop()
            for _ in 0..<6 {
                try await Task.sleep(for: .seconds(10))
                #expect(harness.agent.isRunning, "the agent's log:\n\(harness.agent.log.suffix(3000))")
                #expect(try Self.runningContainers(harness, config: config) == before)
            }
            let renewalBefore = try harness.leaseRenewTime()
            try await server.restart(compacting: true)

            try await harness.waitUntilNodeReady("the node is Ready again")
            _ = try await AgentStaticPodTests.eventually("the Lease is renewed after the return", agent: harness.agent, attempts: 400) {
                () -> Bool? in
                let renewal = try harness.leaseRenewTime()
                return renewal != nil && renewal != renewalBefore ? true : nil
            }
            #expect(try Self.runningContainers(harness, config: config) == before)
            try harness.createPod("after-outage", script: "exec sleep 600")
            try await harness.waitUntilRunning("after-outage", attempts: 600)
            let status = harness.agent.stop()
            #expect(status == 0, "the agent's log:\n\(harness.agent.log.suffix(3000))")
        }
    }

    @Test func aConfigMapChangeReachesTheRunningPodsVolume() async throws {
        try await AgentControlPlaneHarness.with { harness in
            let server = harness.server
            let config = try await harness.startJoinedAgent()
            try server.create([
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "greeting", "namespace": "default"],
                "data": ["message": "hello"],
            ])
            try harness.createPod(
                "reader", script: "exec sleep 600",
                spec: #", "volumes": [{"name": "cfg", "configMap": {"name": "greeting"}}]"#,
                container: #", "volumeMounts": [{"name": "cfg", "mountPath": "/etc/greeting"}]"#)
            try await harness.waitUntilRunning("reader")
            let container = try #require(try Self.runningContainers(harness, config: config).first)
            func message() -> String? {
                (try? BusyboxLayout.run(harness.swiftlet, ["runtime", "exec", "--config", config, container, "--", "cat", "/etc/greeting/message"]))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(message() == "hello")

            try server.patch(
                "configmaps", namespace: "default", name: "greeting", type: "merge", patch: ["data": ["message": "bonjour"]])
            _ = try await AgentStaticPodTests.eventually("the pod's volume shows the new value", agent: harness.agent, attempts: 900) {
                () -> Bool? in message() == "bonjour" ? true : nil
            }
            let status = harness.agent.stop()
            #expect(status == 0, "the agent's log:\n\(harness.agent.log.suffix(3000))")
        }
    }

    @Test func aDroppedWatchAndAMalformedPodAreSurvivedAndTheNextPodRuns() async throws {
        try await AgentControlPlaneHarness.with { harness in
            let server = harness.server
            _ = try await harness.startJoinedAgent()
            _ = try await AgentStaticPodTests.eventually("the agent watches", agent: harness.agent) { () -> Bool? in
                server.openWatchCount > 0 ? true : nil
            }
            server.dropWatches()
            try harness.createPod("while-dropped", script: "exec sleep 600")
            try await harness.waitUntilRunning("while-dropped")

            _ = try await AgentStaticPodTests.eventually("the agent watches again", agent: harness.agent) { () -> Bool? in
                server.openWatchCount > 0 ? true : nil
            }
            try server.injectIntoWatches(
                "pods",
                object: [
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": ["name": "malformed", "namespace": "default", "resourceVersion": "999999"],
                    "spec": ["nodeName": .string(harness.nodeName), "containers": "not a list"],
                ])
            try harness.createPod("after-malformed", script: "exec sleep 600")
            try await harness.waitUntilRunning("after-malformed")
            let log = harness.agent.log
            #expect(log.contains("skipped object default/malformed that does not decode"), "the agent's log:\n\(log.suffix(3000))")
            #expect(harness.agent.isRunning)
            let status = harness.agent.stop()
            #expect(status == 0, "the agent's log:\n\(harness.agent.log.suffix(3000))")
        }
    }

    /// The IDs of the runtime's running containers, as `swiftlet runtime ps` lists them.
    static func runningContainers(_ harness: AgentControlPlaneHarness, config: String) throws -> [String] {
        try BusyboxLayout.run(harness.swiftlet, ["runtime", "ps", "--config", config, "-q"])
            .split(separator: "\n").map(String.init).sorted()
    }
}
