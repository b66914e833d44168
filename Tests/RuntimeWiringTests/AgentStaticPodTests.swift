// `swiftlet run` in standalone mode as a user runs it: the real executable as a subprocess with a
// configuration the test writes (state, logs and images in a temporary directory, the pod
// network's node in a network namespace the test created), a busybox image imported with
// `swiftlet images import`, and pod manifests dropped into and removed from the static pod
// directory. `swiftlet runtime` looks at what the agent did. The agent runs inside the node
// namespace (under nsenter, as the demo runs it), so the service proxy's nftables rules and its
// /healthz stay there.

import Foundation
import Netlink
import TestSupport
import Testing

@Suite("swiftlet run with static pods", .serialized, .requires(.root, .command("tar"), .command("nsenter"), .command("nft"), .command("ip"), .path("/usr/bin/busybox")))
struct AgentStaticPodTests {
    static let tag = "registry.test/busybox:agent"

    @Test func manifestDroppedInRunsItsContainerSurvivesAnAgentRestartAndStopsWhenRemoved() async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            let agent = AgentProcess(root: fixture.root)
            do {
                try await runScenario(fixture: fixture, node: spaces[0], agent: agent)
            } catch {
                agent.stop()
                Self.removePods(fixture: fixture)
                await fixture.tearDown(nil)
                throw error
            }
            agent.stop()
            Self.removePods(fixture: fixture)
            await fixture.tearDown(nil)
        }
    }

    func runScenario(fixture: WiringFixture, node: NetworkNamespace, agent: AgentProcess) async throws {
        let swiftlet = WiringFixture.productsDirectory + "/swiftlet"
        try #require(FileManager.default.isExecutableFile(atPath: swiftlet), "\(swiftlet) is not built")
        let manifests = fixture.root + "/manifests"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        let config = try Self.writeConfiguration(fixture: fixture, node: node, manifests: manifests)
        // The agent's health servers listen on the namespace's loopback.
        try BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(node.path)", "ip", "link", "set", "lo", "up"])
        func cli(_ arguments: [String]) throws -> String {
            try BusyboxLayout.run(swiftlet, Array(arguments.prefix(2)) + ["--config", config] + arguments.dropFirst(2))
        }

        let layout = fixture.root + "/layout"
        try BusyboxLayout.write(to: layout, tag: Self.tag, defaults: .init(env: ["PATH=/bin"], cmd: ["sh"]))
        #expect(try BusyboxLayout.run(swiftlet, ["images", "import", "--root", fixture.imageStore, layout]).hasPrefix(Self.tag))

        try agent.start(swiftlet, config: config, namespace: node.path)
        // The pod's environment comes from a ConfigMap in the same directory.
        try """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: greeting, namespace: default}
            data: {text: hello-from-a-configmap}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: sleeper, namespace: default}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: \(Self.tag)
                imagePullPolicy: Never
                command: [sh, -c, "echo $GREETING; while true; do sleep 1; done"]
                env:
                - name: GREETING
                  valueFrom: {configMapKeyRef: {name: greeting, key: text}}

            """.write(toFile: manifests + "/sleeper.yaml", atomically: true, encoding: .utf8)

        let container = try await Self.eventually("the pod's container runs", agent: agent) { () -> String? in
            let ids = try cli(["runtime", "ps", "-q"]).split(separator: "\n").map(String.init)
            guard ids.count == 1, try cli(["runtime", "logs", ids[0]]).contains("hello-from-a-configmap") else { return nil }
            return ids[0]
        }
        #expect(try cli(["runtime", "pods"]).contains("sleeper-"))
        // The agent's status table (runDir/pods) shows the pod Running and Ready with its address.
        _ = try await Self.eventually("the status table shows the pod ready", agent: agent) { () -> Bool? in
            let table = (try? String(contentsOfFile: fixture.root + "/run/pods", encoding: .utf8)) ?? ""
            return table.contains(/default +sleeper-\S+ +Running +true +10\.79\.0\.\d+/) ? true : nil
        }

        // The agent stops; the container does not. The next agent adopts it instead of restarting it.
        #expect(agent.stop() == 0)
        #expect(try cli(["runtime", "ps", "-q"]) == container + "\n")
        try agent.start(swiftlet, config: config, namespace: node.path)
        try await Task.sleep(for: .seconds(3))
        #expect(try cli(["runtime", "ps", "-q"]) == container + "\n")
        #expect(try cli(["runtime", "inspect", container]).contains("\"CONTAINER_RUNNING\""))

        try FileManager.default.removeItem(atPath: manifests + "/sleeper.yaml")
        _ = try await Self.eventually("the pod is stopped and removed", agent: agent) { () -> Bool? in
            try cli(["runtime", "ps", "-a", "-q"]).isEmpty && cli(["runtime", "pods", "-q"]).isEmpty ? true : nil
        }
        #expect(agent.stop() == 0)
        #expect(WiringFixture.monitorCount(under: fixture.root) == 0)
    }

    @Test func serviceNextToAReadyPodIsReachableThroughItsClusterIPFromTheNodeNamespace() async throws {
        try await withNamespaces(["node"]) { spaces in
            let fixture = try WiringFixture()
            let agent = AgentProcess(root: fixture.root)
            do {
                try await runServiceScenario(fixture: fixture, node: spaces[0], agent: agent)
            } catch {
                agent.stop()
                Self.removePods(fixture: fixture)
                await fixture.tearDown(nil)
                throw error
            }
            agent.stop()
            Self.removePods(fixture: fixture)
            await fixture.tearDown(nil)
        }
    }

    func runServiceScenario(fixture: WiringFixture, node: NetworkNamespace, agent: AgentProcess) async throws {
        let swiftlet = WiringFixture.productsDirectory + "/swiftlet"
        try #require(FileManager.default.isExecutableFile(atPath: swiftlet), "\(swiftlet) is not built")
        let manifests = fixture.root + "/manifests"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        let config = try Self.writeConfiguration(fixture: fixture, node: node, manifests: manifests)
        // The agent's health servers listen on the namespace's loopback.
        try BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(node.path)", "ip", "link", "set", "lo", "up"])
        let layout = fixture.root + "/layout"
        try BusyboxLayout.write(to: layout, tag: Self.tag, defaults: .init(env: ["PATH=/bin"], cmd: ["sh"]))
        #expect(try BusyboxLayout.run(swiftlet, ["images", "import", "--root", fixture.imageStore, layout]).hasPrefix(Self.tag))
        @discardableResult
        func inNode(_ arguments: [String]) throws -> String {
            try BusyboxLayout.run("/usr/bin/nsenter", ["--net=\(node.path)"] + arguments)
        }

        try """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              selector: {app: web}
              clusterIP: 10.96.0.79
              ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default, labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: httpd
                image: \(Self.tag)
                imagePullPolicy: Never
                command: [sh, -c, "mkdir -p /srv && echo served-by-the-web-pod > /srv/index.html && exec httpd -f -p 8080 -h /srv"]
                ports: [{name: http, containerPort: 8080}]
                readinessProbe:
                  tcpSocket: {port: 8080}
                  periodSeconds: 1

            """.write(toFile: manifests + "/web.yaml", atomically: true, encoding: .utf8)
        // The node's uplink (a veth pair inside the namespace) with the default route: without a
        // route a request to the ClusterIP fails before the proxy's rules see it.
        try inNode(["ip", "link", "add", "node0", "type", "veth", "peer", "name", "node0-peer"])
        try inNode(["ip", "addr", "add", "192.168.78.10/24", "dev", "node0"])
        try inNode(["ip", "link", "set", "node0-peer", "up"])
        try inNode(["ip", "link", "set", "node0", "up"])
        try inNode(["ip", "route", "add", "default", "dev", "node0"])
        try agent.start(swiftlet, config: config, namespace: node.path)

        _ = try await Self.eventually("the status table shows the pod ready", agent: agent) { () -> Bool? in
            let table = (try? String(contentsOfFile: fixture.root + "/run/pods", encoding: .utf8)) ?? ""
            return table.contains(/default +web-\S+ +Running +true +10\.79\.0\.\d+/) ? true : nil
        }
        // The proxy programmed the Service in the node namespace's kube-proxy table.
        let serviceIPs = try await Self.eventually("the ClusterIP is in service-ips", agent: agent) { () -> String? in
            let map = (try? inNode(["nft", "list", "map", "ip", "kube-proxy", "service-ips"])) ?? ""
            return map.contains("10.96.0.79 . tcp . 80") ? map : nil
        }
        #expect(serviceIPs.contains("default/web/tcp/http"))
        // A request to the ClusterIP from the node reaches the pod's port 8080.
        var lastFailure = ""
        let page = try await Self.eventually("the ClusterIP answers", agent: agent) { () -> String? in
            do {
                let text = try inNode(["/usr/bin/busybox", "sh", "-c",
                                       "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /usr/bin/busybox nc -w 2 10.96.0.79 80"])
                return text.isEmpty ? nil : text
            } catch {
                if "\(error)" != lastFailure { lastFailure = "\(error)"; print("ClusterIP request: \(error)") }
                return nil
            }
        }
        #expect(page.hasPrefix("HTTP/1.1 200 OK"))
        #expect(page.hasSuffix("\r\n\r\nserved-by-the-web-pod\n"))
        let nodeRules = try inNode(["nft", "list", "tables"])
        #expect(nodeRules.contains("table ip kube-proxy"))

        try FileManager.default.removeItem(atPath: manifests + "/web.yaml")
        _ = try await Self.eventually("the pod is stopped and removed", agent: agent) { () -> Bool? in
            try BusyboxLayout.run(swiftlet, ["runtime", "pods", "--config", config, "-q"]).isEmpty ? true : nil
        }
        #expect(agent.stop() == 0)
    }

    /// A configuration with everything under the fixture's directory and the node in `node`.
    static func writeConfiguration(fixture: WiringFixture, node: NetworkNamespace, manifests: String) throws -> String {
        try writeConfiguration(
            fixture: fixture, node: node, bridge: "swta0", podCIDR: "10.79.0.0/24",
            kubelet: "registerNode: false\nstaticPodPath: \(manifests)\nfileCheckFrequency: 2s")
    }

    /// The agent's configuration for a test: state, logs, images and the local API socket under
    /// the fixture's directory, the pod network's node in `node` with `bridge` and `podCIDR`
    /// (also the proxy's clusterCIDR), and each document's extra lines.
    static func writeConfiguration(
        fixture: WiringFixture, node: NetworkNamespace, bridge: String, podCIDR: String,
        kubelet: String = "", proxy: String = "", swiftlet: String = ""
    ) throws -> String {
        let config = fixture.root + "/config.yaml"
        try """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            enableServer: false
            healthzPort: 0
            podLogsDir: \(fixture.root)/log/pods
            cgroupRoot: /\(fixture.cgroupParent)
            failSwapOn: false
            \(kubelet)
            ---
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: nftables
            clusterCIDR: \(podCIDR)
            \(proxy)
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            logLevel: debug
            stateDir: \(fixture.root)/state
            runDir: \(fixture.root)/run
            apiSocket: \(fixture.root)/run/swiftlet.sock
            images:
              storeDir: \(fixture.imageStore)
            podNetwork:
              bridgeName: \(bridge)
              podCIDRs: [\(podCIDR)]
              nodeNetworkNamespace: \(node.path)
            \(swiftlet)

            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// Polls `check` every 200 ms, `attempts` times (60 s by default); fails with the agent's log
    /// when it never answers.
    static func eventually<T>(
        _ what: String, agent: AgentProcess, attempts: Int = 300, _ check: () throws -> T?
    ) async throws -> T {
        for _ in 0..<attempts {
            if let value = try check() { return value }
            try #require(agent.isRunning, "the agent exited while waiting until \(what):\n\(agent.log)")
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting until \(what); the agent's log:\n\(agent.log)")
        throw CommandFailed(command: "wait until \(what)", status: -1, output: "timed out")
    }

    /// Removes what a failed run left: every sandbox the runtime knows (through the CLI).
    static func removePods(fixture: WiringFixture) {
        let swiftlet = WiringFixture.productsDirectory + "/swiftlet"
        let config = fixture.root + "/config.yaml"
        guard let pods = try? BusyboxLayout.run(swiftlet, ["runtime", "pods", "--config", config, "-q"]) else { return }
        for pod in pods.split(separator: "\n") {
            _ = try? BusyboxLayout.run(swiftlet, ["runtime", "rmp", "--config", config, String(pod)])
        }
    }
}

/// `swiftlet run` as a child process, its output in `root/agent-N.log`.
final class AgentProcess: @unchecked Sendable {
    let root: String
    private var process: Process?
    private var runs = 0
    private var logPath: String { "\(root)/agent-\(runs).log" }

    init(root: String) { self.root = root }

    /// Starts `swiftlet run` inside the network namespace at `namespace` (nsenter execs it, so
    /// the process is the agent itself and gets the SIGTERM).
    func start(_ swiftlet: String, config: String, namespace: String) throws {
        runs += 1
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw CommandFailed(command: swiftlet, status: -1, output: "cannot create \(logPath)")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--net=\(namespace)", swiftlet, "run", "--config", config]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try output.close()
        self.process = process
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// The current run's output.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit; returns the exit status (nil when it was not running).
    @discardableResult
    func stop() -> Int32? {
        guard let process else { return nil }
        self.process = nil
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
