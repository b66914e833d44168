import Foundation
import Netlink
import TestSupport
import Testing

/// What a `swiftlet run` scenario is handed by ``AgentStaticPodTests/withAgent(tag:_:)``.
struct AgentScenario {
    let fixture: WiringFixture
    let node: NetworkNamespace
    let agent: AgentProcess
    /// The built `swiftlet` executable.
    let swiftlet: String
    /// The configuration file (everything under the fixture's directory).
    let config: String
    /// The static pod directory.
    let manifests: String

    /// Starts the agent inside the node namespace.
    func startAgent() throws { try agent.start(swiftlet, config: config, namespace: node.path) }
}

extension AgentStaticPodTests {
    /// Runs `body` with a node namespace, a fixture, a configuration, the busybox image imported
    /// as `tag` and the namespace's loopback up; afterwards (also when `body` throws) stops the
    /// agent and removes every pod, the namespace and the fixture.
    static func withAgent(tag: String, _ body: (AgentScenario) async throws -> Void) async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            let agent = AgentProcess(root: fixture.root)
            defer { agent.stop() }
            do {
                let swiftlet = WiringFixture.productsDirectory + "/swiftlet"
                try #require(FileManager.default.isExecutableFile(atPath: swiftlet), "\(swiftlet) is not built")
                let manifests = fixture.root + "/manifests"
                try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
                let config = try writeConfiguration(fixture: fixture, node: spaces[0], manifests: manifests)
                // The agent's health servers listen on the namespace's loopback.
                try BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(spaces[0].path)", "ip", "link", "set", "lo", "up"])
                let layout = fixture.root + "/layout"
                try BusyboxLayout.write(to: layout, tag: tag, defaults: .init(env: ["PATH=/bin"], cmd: ["sh"]))
                #expect(try BusyboxLayout.run(swiftlet, ["images", "import", "--root", fixture.imageStore, layout]).hasPrefix(tag))
                try await body(AgentScenario(
                    fixture: fixture, node: spaces[0], agent: agent, swiftlet: swiftlet, config: config, manifests: manifests))
            } catch {
                agent.stop()
                removePods(fixture: fixture)
                await fixture.tearDown(nil)
                throw error
            }
            agent.stop()
            removePods(fixture: fixture)
            await fixture.tearDown(nil)
        }
    }
}
