import BenchReport
import Foundation
import KubeAPI
import KubeClient
import KubeTestServer

/// What `api_pod_startup` runs against: the test control plane, a client of it as the
/// scheduler and the user, and the watch the times are read from.
struct APIParts {
    let server: KubeTestServer
    let client: KubeClient
    var watch: PodWatch?
    /// Pods created and not yet seen deleted.
    var live: Set<String> = []
    /// Pod name → when its create call was made (ms since the epoch), for the breakdown.
    var createdAt: [String: Int64] = [:]
}

extension PodBench {
    var apiRoot: String { root + "/api" }
    var apiNodeName: String { "bench-node-\(id)" }
    static let apiNamespace = "default"

    /// `api_pod_startup`: the test control plane on the node namespace's loopback, `swiftlet
    /// run` joined to it, then one pod at a time created through the API already bound to the
    /// node (spec.nodeName, as the scheduler binds), timed from the create call to the watch
    /// delivering it Running with Ready=True; each is deleted and seen DELETED before the next.
    func runAPI() async throws -> [ReportRow] {
        try FileManager.default.createDirectory(atPath: apiRoot, withIntermediateDirectories: true)
        // This process already runs in the node namespace, so the server's plain loopback
        // listener is the node's.
        let server = try await KubeTestServer.start(KubeTestServer.Options())
        let adminKubeconfig = apiRoot + "/admin.kubeconfig"
        try server.writeAdminKubeconfig(to: adminKubeconfig)
        var configuration = try KubeConfig.load(path: adminKubeconfig).clientConfiguration()
        configuration.qps = -1  // no client-side limit: the bench is the scheduler, not a kubelet
        let client = try KubeClient(configuration: configuration)
        api = APIParts(server: server, client: client)

        let config = try writeAPIConfig(kubeconfig: try writeNodeKubeconfig(server: server))
        try startAgent(config: config, logPath: apiRoot + "/agent.log")
        try await waitUntilNodeReady(server: server, timeout: 120)

        let watch = try await PodWatch(client: client, namespace: Self.apiNamespace)
        api?.watch = watch
        var startups: [UInt64] = []
        for index in 0..<options.iterations {
            let name = "api-\(index)"
            let pod = try apiPod(name)
            api?.createdAt[name] = wallMilliseconds()
            let start = ContinuousClock.now
            _ = try await client.create(pod, namespace: Self.apiNamespace)
            api?.live.insert(name)
            let ready = try await waitFor("\(name) Running and Ready", timeout: 60) { try watch.readyAt(name) }
            startups.append(Self.nanoseconds(ready - start))
            try await client.delete(CoreV1.Pod.self, name: name, namespace: Self.apiNamespace)
            _ = try await waitFor("\(name) deleted", timeout: 60) { try watch.isDeleted(name) ? true : nil }
            api?.live.remove(name)
        }
        return [ReportRow(metric: "api_pod_startup", unit: "ms", nanoseconds: startups, peer: "-", peerNanoseconds: nil)]
    }

    /// A pod bound to the node whose container ends at SIGTERM, so a graceful delete is quick.
    private func apiPod(_ name: String) throws -> CoreV1.Pod {
        let text = """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "\(name)", "namespace": "\(Self.apiNamespace)"},
             "spec": {"nodeName": "\(apiNodeName)", "terminationGracePeriodSeconds": 5,
                      "containers": [{"name": "main", "image": "\(Self.tag)", "imagePullPolicy": "Never",
                                      "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 100000 & wait"]}]}}
            """
        return try CoreV1.Pod(decoding: JSONParser.parse(Array(text.utf8)))
    }

    /// Polls `probe` until it gives a value, watching that the agent still runs.
    private func waitFor<Value>(_ what: String, timeout: Double, _ probe: () throws -> Value?) async throws -> Value {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            if let value = try probe() { return value }
            try checkAgent()
            guard ContinuousClock.now < deadline else { throw BenchError("\(what): not after \(Int(timeout))s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    private func waitUntilNodeReady(server: KubeTestServer, timeout: Double) async throws {
        _ = try await waitFor("node \(apiNodeName) Ready in the API", timeout: timeout) { () -> Bool? in
            guard let node = try server.get("nodes", name: apiNodeName),
                  case .array(let conditions)? = node["status"]?["conditions"]
            else { return nil }
            return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" } ? true : nil
        }
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// A kubeconfig for the node as a bootstrapped kubelet has it: the server's CA, and a PEM
    /// file with a client certificate for system:node:<name> and its key.
    private func writeNodeKubeconfig(server: KubeTestServer) throws -> String {
        let credentials = try server.issueClientCertificate(user: "system:node:\(apiNodeName)", groups: ["system:nodes"])
        let pair = apiRoot + "/kubelet-client-current.pem"
        try [credentials.certificatePEM, credentials.keyPEM].map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined().write(toFile: pair, atomically: true, encoding: .utf8)
        let path = apiRoot + "/kubelet.kubeconfig"
        try NodeKubeconfig(server: server.url, caPEM: server.caCertificatePEM, credentialsPath: pair).write(to: path)
        return path
    }

    /// The joined agent's configuration: no static pods, its own state under `apiRoot`, the
    /// images of the static part, and the node kubeconfig.
    private func writeAPIConfig(kubeconfig: String) throws -> String {
        let path = apiRoot + "/config.yaml"
        try """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            enableServer: false
            healthzPort: 0
            podLogsDir: \(apiRoot)/log/pods
            cgroupRoot: /\(cgroupParent)
            failSwapOn: false
            ---
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: nftables
            hostnameOverride: \(apiNodeName)
            clusterCIDR: 10.79.0.0/16
            healthzBindAddress: 127.0.0.1:0
            metricsBindAddress: 127.0.0.1:0
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            logLevel: info
            stateDir: \(apiRoot)/state
            runDir: \(apiRoot)/run
            apiSocket: \(apiRoot)/run/swiftlet.sock
            images:
              storeDir: \(root)/images
            podNetwork:
              bridgeName: swba0
              podCIDRs: [10.79.0.0/16]
              nodeNetworkNamespace: /run/netns/\(namespace)
            controlPlane:
              kubeconfig: \(kubeconfig)

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Deletes the API pods still there and waits for the agent to finish them, then stops the
    /// agent, the watch, the client and the server.
    func cleanUpAPI() async {
        guard let parts = api else { return }
        if agent?.isRunning == true, let watch = parts.watch {
            for name in parts.live {
                try? await parts.client.delete(CoreV1.Pod.self, name: name, namespace: Self.apiNamespace)
                _ = try? await waitFor("\(name) deleted", timeout: 60) { try watch.isDeleted(name) ? true : nil }
            }
        }
        stopAgent()
        if let copy = options.agentLog {
            try? FileManager.default.removeItem(atPath: copy)
            try? FileManager.default.copyItem(atPath: apiRoot + "/agent.log", toPath: copy)
            if let watch = parts.watch, let text = try? String(contentsOfFile: copy, encoding: .utf8) {
                let breakdown = StartupBreakdown(log: text, startedAt: parts.createdAt) { watch.readyWallMilliseconds($0) }
                FileHandle.standardError.write(Data(breakdown.table("api_pod_startup").utf8))
            }
        }
        parts.watch?.cancel()
        try? await parts.client.shutdown()
        await parts.server.stop()
        api = nil
    }
}
