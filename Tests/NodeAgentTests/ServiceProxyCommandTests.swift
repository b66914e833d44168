import Foundation
import KubeAPI
import Logging
import NFTables
import ServiceProxy
import Synchronization
import TestSupport
import Testing

@testable import NodeAgent

/// The service proxy's HTTP endpoints, `swiftlet proxy rules` and `swiftlet proxy run`: the
/// kernel tests program only network namespaces they create, never the host's ruleset.
@Suite(.serialized) struct ServiceProxyCommandTests {
    /// A wall clock the test moves by hand.
    final class ManualWallClock: Sendable {
        private let seconds = Mutex(1_000.0)
        func now() -> Double { seconds.withLock { $0 } }
        func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
    }

    @Test func proxyHealthzIs200AfterASyncAnd503OnceAQueuedUpdateWaitsLongerThanTheTimeout() async throws {
        let clock = ManualWallClock()
        let health = ProxyHealth(healthTimeoutSeconds: 60, now: { clock.now() })
        let server = try await HealthzServer.bind(host: "127.0.0.1", port: 0, name: "proxy healthz",
                                                  routes: ServiceProxyAgent.healthRoutes(health), logger: Logger(label: "test"))
        let port = server.port
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }

            health.updated(.ipv4)  // the first sync
            let first = try httpGet(host: "127.0.0.1", port: port, path: "/healthz")
            #expect(first.status == 200)
            #expect(first.body.contains("\"nodeEligible\": true"))
            #expect(try httpGet(host: "127.0.0.1", port: port, path: "/livez").status == 200)

            health.queuedUpdate(.ipv4)  // a change waits for the next sync
            clock.advance(59)
            #expect(try httpGet(host: "127.0.0.1", port: port, path: "/healthz").status == 200)
            clock.advance(2)  // the sync is now overdue
            #expect(try httpGet(host: "127.0.0.1", port: port, path: "/healthz").status == 503)
            #expect(try httpGet(host: "127.0.0.1", port: port, path: "/livez").status == 503)

            health.updated(.ipv4)  // the sync came
            #expect(try httpGet(host: "127.0.0.1", port: port, path: "/healthz").status == 200)

            // A node being deleted fails /healthz (load balancers drain it) but not /livez.
            health.syncNode(beingDeleted: false, taintKeys: [ProxyHealth.toBeDeletedTaint])
            let draining = try httpGet(host: "127.0.0.1", port: port, path: "/healthz")
            #expect(draining.status == 503)
            #expect(draining.body.contains("\"nodeEligible\": false"))
            #expect(try httpGet(host: "127.0.0.1", port: port, path: "/livez").status == 200)
            #expect(try httpGet(host: "127.0.0.1", port: port, path: "/metrics").status == 404)
            group.cancelAll()
        }
    }

    @Test func proxyMetricsServesThePrometheusText() async throws {
        let metrics = ProxyMetrics()
        metrics.observeSync(.ipv4, seconds: 0.25, full: true)
        let server = try await HealthzServer.bind(host: "127.0.0.1", port: 0, name: "proxy metrics",
                                                  routes: ServiceProxyAgent.metricsRoutes(metrics), logger: Logger(label: "test"))
        let port = server.port
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let response = try httpGet(host: "127.0.0.1", port: port, path: "/metrics")
            #expect(response.status == 200)
            #expect(response.body == metrics.prometheusText())
            #expect(response.body.contains("kubeproxy_sync_proxy_rules_duration_seconds"))
            group.cancelAll()
        }
    }

    static let webManifests = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          clusterIP: 10.96.0.10
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
        addressType: IPv4
        ports: [{name: http, port: 8080}]
        endpoints:
        - {addresses: [10.244.1.5], nodeName: node-a}
        - {addresses: [10.244.2.5], nodeName: node-b}
        """

    @Test(.requires(.root)) func proxyRulesPrintsTheRoutesAProxierProgrammedInANamespace() async throws {
        let binary = try Repository.swiftletBinary()
        try await withNamespaces(["rules"]) { namespaces in
            let path = namespaces[0].path
            let proxier = NFTablesProxier(configuration: ProxyConfiguration(family: .ipv4, hostname: "node-a"),
                                          connection: try NetfilterConnection(networkNamespace: path))
            let decoder = ManifestDecoder(strict: true)
            for object in try decoder.decodeObjects(in: Array(Self.webManifests.utf8), file: "web.yaml") {
                if let service = object as? CoreV1.Service, let name = ServiceName(metadata: service.metadata) {
                    await proxier.updateService(name, ports: ServicePortInfo.ports(of: service, family: .ipv4))
                }
                if let slice = object as? DiscoveryV1.EndpointSlice {
                    await proxier.updateEndpointSlice(try #require(EndpointSliceInfo(slice)))
                }
            }
            await proxier.servicesDidSync()
            await proxier.endpointSlicesDidSync()
            _ = try await proxier.sync()

            let result = try await runToCompletion(binary, ["proxy", "rules", "--netns", path])
            #expect(result.status == 0, "stderr: \(result.error)")
            #expect(result.output == """
                SERVICE               PROTO  FRONTEND       ENDPOINTS        POLICY
                default/web/tcp/http  tcp    10.96.0.10:80  10.244.1.5:8080  Cluster
                                                            10.244.2.5:8080

                """)
        }
    }

    @Test(.requires(.root)) func proxyRulesOfANamespaceWithoutAKubeProxyTablePrintsOnlyTheHeader() async throws {
        let binary = try Repository.swiftletBinary()
        try await withNamespaces(["empty"]) { namespaces in
            let result = try await runToCompletion(binary, ["proxy", "rules", "--netns", namespaces[0].path])
            #expect(result.status == 0, "stderr: \(result.error)")
            #expect(result.output == "SERVICE  PROTO  FRONTEND  ENDPOINTS  POLICY\n")
        }
    }

    /// Polls `swiftlet proxy rules` in a namespace until `match` holds, or throws after `timeout`.
    func waitForRules(_ binary: String, namespace: String, timeout: Duration, _ match: (String) -> Bool) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last = ""
        while clock.now < deadline {
            last = try await runToCompletion(binary, ["proxy", "rules", "--netns", namespace]).output
            if match(last) { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("rules never matched; last read:\n\(last)")
    }

    /// The port a `NAME server listening address=0.0.0.0:PORT` log line names.
    func listeningPort(_ proxy: ChildProcess, _ name: String) async throws -> Int {
        try await proxy.waitForStandardError(timeout: .seconds(10)) { text -> Int? in
            guard let range = text.range(of: "\(name) server listening address=0.0.0.0:") else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// `GET` inside a namespace with busybox wget: the body, or nil when the status is not 2xx.
    func get(_ url: String, namespace: String) async throws -> String? {
        let result = try await runToCompletion("/usr/bin/nsenter", ["--net=\(namespace)", "/bin/busybox", "wget", "-q", "-O", "-", url])
        return result.status == 0 ? result.output : nil
    }

    @Test(.requires(.root, .command("/usr/bin/nsenter"), .command("/usr/sbin/ip"), .command("/bin/busybox")))
    func proxyRunProgramsTheManifestsServesHealthAndMetricsRereadsOnSIGHUPAndStopsOnSIGTERM() async throws {
        let binary = try Repository.swiftletBinary()
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("manifests"), withIntermediateDirectories: true)
        let config = try directory.write("config.yaml", """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            healthzBindAddress: 0.0.0.0:0
            metricsBindAddress: 0.0.0.0:0
            hostnameOverride: node-a
            """)
        let oneEndpoint = Self.webManifests.replacingOccurrences(of: "\n- {addresses: [10.244.2.5], nodeName: node-b}", with: "")
        _ = try directory.write("manifests/web.yaml", oneEndpoint)

        try await withNamespaces(["run"]) { namespaces in
            let path = namespaces[0].path
            let proxy = try ChildProcess("/usr/bin/nsenter", ["--net=\(path)", binary, "proxy", "run", "--config", config,
                                                              "--manifests", directory.file("manifests")])
            let first = try await waitForRules(binary, namespace: path, timeout: .seconds(30)) { $0.contains("10.244.1.5:8080") }
            #expect(!first.contains("10.244.2.5:8080"))

            // After the first sync, /healthz and /livez answer 200 and /metrics counts the sync.
            _ = try await runToCompletion("/usr/bin/nsenter", ["--net=\(path)", "/usr/sbin/ip", "link", "set", "lo", "up"])
            let healthzPort = try await listeningPort(proxy, "proxy healthz")
            let metricsPort = try await listeningPort(proxy, "proxy metrics")
            let healthz = try await get("http://127.0.0.1:\(healthzPort)/healthz", namespace: path)
            #expect(healthz?.contains("\"nodeEligible\": true") == true, "healthz: \(healthz ?? "not 2xx")")
            #expect(try await get("http://127.0.0.1:\(healthzPort)/livez", namespace: path) != nil)
            let metrics = try await get("http://127.0.0.1:\(metricsPort)/metrics", namespace: path) ?? ""
            #expect(metrics.contains("kubeproxy_sync_proxy_rules_last_timestamp_seconds"), "metrics: \(metrics)")

            _ = try directory.write("manifests/web.yaml", Self.webManifests)
            proxy.signal(SIGHUP)
            let second = try await waitForRules(binary, namespace: path, timeout: .seconds(30)) { $0.contains("10.244.2.5:8080") }
            #expect(second.contains("10.244.1.5:8080"))

            proxy.signal(SIGTERM)
            let status = try await proxy.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "stderr: \(proxy.standardError)")
        }
    }
}

@Suite struct ProxyManifestSourceTests {
    @Test func aFileThatStopsDecodingIsReportedWithItsFieldPathAndKeepsItsLastGoodObjects() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("web.yaml", ServiceProxyCommandTests.webManifests)
        _ = try directory.write("notes.txt", "not a manifest")
        var snapshot = ProxyManifestSource.Snapshot()
        let firstProblems = ProxyManifestSource.read(directory: directory.path, families: [.ipv4], into: &snapshot)
        #expect(firstProblems.isEmpty)
        let first = snapshot.merged(families: [.ipv4])
        #expect(first.servicePorts.count == 1)
        #expect(first.slices.count == 1)

        _ = try directory.write("web.yaml", ServiceProxyCommandTests.webManifests.replacingOccurrences(of: "port: 80,", with: "port: http,"))
        let problems = ProxyManifestSource.read(directory: directory.path, families: [.ipv4], into: &snapshot)
        let problem = try #require(problems.first)
        #expect(problem.contains("web.yaml:"))
        #expect(problem.contains("spec.ports[0].port"))
        let second = snapshot.merged(families: [.ipv4])
        #expect(second.servicePorts.values.flatMap { $0.joined() }.map(\.clusterIP) == ["10.96.0.10"])
        #expect(second.slices.count == 1)

        try FileManager.default.removeItem(atPath: directory.file("web.yaml"))
        let thirdProblems = ProxyManifestSource.read(directory: directory.path, families: [.ipv4], into: &snapshot)
        #expect(thirdProblems.isEmpty)
        #expect(snapshot.merged(families: [.ipv4]).servicePorts.isEmpty)
        #expect(snapshot.merged(families: [.ipv4]).slices.isEmpty)
    }
}

@Suite struct ServiceProxyAgentConfigurationTests {
    @Test(arguments: [
        ("0.0.0.0:10256", "0.0.0.0", 10256),
        ("127.0.0.1:10249", "127.0.0.1", 10249),
        ("[::]:10256", "::", 10256),
    ])
    func bindAddressesSplitIntoHostAndPort(_ text: String, _ host: String, _ port: Int) throws {
        let split = try #require(ServiceProxyAgent.hostPort(text))
        #expect(split.host == host)
        #expect(split.port == port)
    }

    @Test(arguments: ["10256", "0.0.0.0:", "0.0.0.0:70000", "0.0.0.0:http"])
    func bindAddressesWithoutAValidPortAreRejected(_ text: String) {
        #expect(ServiceProxyAgent.hostPort(text) == nil)
    }

    @Test(arguments: [
        ("", [ProxyIPFamily.ipv4]),
        ("10.244.0.0/16", [.ipv4]),
        ("10.244.0.0/16,fd00:10:244::/56", [.ipv4, .ipv6]),
    ])
    func clusterCIDRDecidesTheFamiliesProgrammed(_ clusterCIDR: String, _ families: [ProxyIPFamily]) {
        var configuration = KubeProxyConfiguration()
        configuration.clusterCIDR = clusterCIDR
        configuration.hostnameOverride = "Node-A"
        let agent = ServiceProxyAgent(configuration: configuration, manifestDirectory: nil, logger: Logger(label: "test"))
        #expect(agent.families == families)
        #expect(agent.hostname == "node-a")
    }
}
