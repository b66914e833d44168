import BenchReport
import Foundation
import Glibc

/// One run of the pods suite inside the node network namespace `namespace` (main.swift made it
/// and runs this process in it): a scratch directory, the busybox image imported, then the
/// standalone measurements with `swiftlet run` on static pods, then `api_pod_startup` with the
/// agent joined to a test control plane (PodBench+API.swift).
@MainActor
final class PodBench {
    let options: Options
    let namespace: String
    let id: String
    var root: String { "/tmp/swiftlet-bench-pods-\(id)" }
    var cgroupParent: String { "swiftlet-bench-pods-\(id)" }
    var manifests: String { root + "/manifests" }
    var config: String { root + "/config.yaml" }
    static let tag = "registry.bench/busybox:pods"
    var agent: Process?
    var agentLogPath: String
    private var log: AgentLog
    /// The configurations agents were started with, for the final clean-up through `swiftlet runtime`.
    var configs: [String] = []
    var api: APIParts?

    init(options: Options, namespace: String, id: String) {
        self.options = options
        self.namespace = namespace
        self.id = id
        let logPath = "/tmp/swiftlet-bench-pods-\(id)/agent.log"
        log = AgentLog(path: logPath)
        agentLogPath = logPath
    }

    func run() async throws -> [ReportRow] {
        try prepareImage()
        var rows: [ReportRow] = []
        if options.only != "api" { rows += try await runStatic() }
        if options.only != "static" { rows += try await runAPI() }
        return rows
    }

    /// pod_startup, pod_burst_N and agent_rss of the standalone agent; stops the agent after.
    private func runStatic() async throws -> [ReportRow] {
        try writeStaticConfig()
        try startAgent(config: config, logPath: log.path)
        // Idle: the agent has opened its runtime and network; let start-up allocations settle.
        try await Task.sleep(for: .seconds(3))
        let idleRSS = try agentRSS(label: "idle")

        var startups: [UInt64] = []
        var startedAt: [String: Int64] = [:]
        for index in 0..<options.iterations {
            let pod = "default/single-\(index)-\(nodeName)"
            let started = try writeManifest("single-\(index)")
            startedAt["single-\(index)-\(nodeName)"] = started
            let ready = try await waitUntilReady([pod], timeout: 60)
            startups.append(UInt64(max(0, ready[pod]! - started)) * 1_000_000)
            try removeManifest("single-\(index)")
            try await waitUntilGone([pod], timeout: 60)
        }

        let names = (0..<options.pods).map { "burst-\($0)" }
        let burstStart = wallMilliseconds()
        for name in names { _ = try writeManifest(name) }
        let ready = try await waitUntilReady(names.map { "default/\($0)-\(nodeName)" }, timeout: 300)
        let burst = UInt64(max(0, (ready.values.max() ?? burstStart) - burstStart)) * 1_000_000
        try await Task.sleep(for: .seconds(3))
        let busyRSS = try agentRSS(label: "busy")
        for name in names { try removeManifest(name) }
        try await waitUntilGone(names.map { "default/\($0)-\(nodeName)" }, timeout: 300)
        stopAgent()
        if let copy = options.agentLog {
            let path = copy + ".static"
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.copyItem(atPath: log.path, toPath: path)
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                FileHandle.standardError.write(Data(StartupBreakdown(log: text, startedAt: startedAt).table("pod_startup").utf8))
            }
        }

        return [
            ReportRow(metric: "pod_startup", unit: "ms", nanoseconds: startups, peer: "-", peerNanoseconds: nil),
            ReportRow(metric: "pod_burst_\(options.pods)", unit: "ms", nanoseconds: [burst], peer: "-", peerNanoseconds: nil),
            ReportRow(metric: "agent_rss_idle", unit: "MiB", median: idleRSS, p99: idleRSS, peer: "-", peerMedian: nil),
            ReportRow(metric: "agent_rss_\(options.pods)", unit: "MiB", median: busyRSS, p99: busyRSS, peer: "-", peerMedian: nil),
        ]
    }

    /// The node name static pods are suffixed with: the host name, lower-cased.
    var nodeName: String { ProcessInfo.processInfo.hostName.split(separator: ".").first.map { $0.lowercased() } ?? "node" }

    private func prepareImage() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try runCommand("/bin/bash", [options.busyboxImage, root + "/layout", Self.tag])
        try runCommand(options.swiftlet, ["images", "import", "--root", root + "/images", root + "/layout"])
    }

    private func writeStaticConfig() throws {
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            enableServer: false
            registerNode: false
            healthzPort: 0
            staticPodPath: \(manifests)
            podLogsDir: \(root)/log/pods
            cgroupRoot: /\(cgroupParent)
            failSwapOn: false
            maxPods: \(options.pods + 10)
            ---
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: nftables
            clusterCIDR: 10.78.0.0/16
            ---
            apiVersion: swiftlet.dev/v1alpha1
            kind: SwiftletConfiguration
            logLevel: info
            stateDir: \(root)/state
            runDir: \(root)/run
            apiSocket: \(root)/run/swiftlet.sock
            images:
              storeDir: \(root)/images
            podNetwork:
              bridgeName: swbp0
              podCIDRs: [10.78.0.0/16]
              nodeNetworkNamespace: /run/netns/\(namespace)

            """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// Starts `swiftlet run --config config` in the node namespace, its output to `logPath`.
    func startAgent(config: String, logPath: String) throws {
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw BenchError("cannot create \(logPath)") }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--net=/run/netns/\(namespace)", options.swiftlet, "run", "--config", config]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try output.close()
        agent = process
        agentLogPath = logPath
        configs.append(config)
    }

    /// Stops the agent (SIGTERM) and waits for it.
    func stopAgent() {
        if let agent, agent.isRunning {
            agent.terminate()
            agent.waitUntilExit()
        }
        agent = nil
    }

    /// Writes the manifest next to the directory and renames it in, so the agent never reads a
    /// half-written file; returns the time of the rename (ms since the epoch).
    private func writeManifest(_ name: String) throws -> Int64 {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name), namespace: default}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: \(Self.tag)
                imagePullPolicy: Never
                command: [sleep, "100000"]

            """
        let staging = root + "/\(name).yaml"
        try text.write(toFile: staging, atomically: false, encoding: .utf8)
        let time = wallMilliseconds()
        guard rename(staging, manifests + "/\(name).yaml") == 0 else { throw BenchError("rename \(staging): \(String(cString: strerror(errno)))") }
        return time
    }

    private func removeManifest(_ name: String) throws {
        try FileManager.default.removeItem(atPath: manifests + "/\(name).yaml")
    }

    /// Waits until every pod of `pods` was logged Ready; returns when each was.
    private func waitUntilReady(_ pods: [String], timeout: Double) async throws -> [String: Int64] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            log.poll()
            if pods.allSatisfy({ log.readyAt[$0] != nil }) {
                return Dictionary(uniqueKeysWithValues: pods.map { ($0, log.readyAt[$0]!) })
            }
            try checkAgent()
            guard Date() < deadline else {
                throw BenchError("pods not Ready after \(Int(timeout))s: \(pods.filter { log.readyAt[$0] == nil }.prefix(5).joined(separator: ", "))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private func waitUntilGone(_ pods: [String], timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            log.poll()
            if pods.allSatisfy({ log.gone.contains($0) }) {
                log.forget(pods)
                return
            }
            try checkAgent()
            guard Date() < deadline else { throw BenchError("pods not removed after \(Int(timeout))s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func checkAgent() throws {
        guard let agent, agent.isRunning else {
            let tail = ((try? String(contentsOfFile: agentLogPath, encoding: .utf8)) ?? "").split(separator: "\n").suffix(20).joined(separator: "\n")
            throw BenchError("the agent exited; the end of its log:\n\(tail)")
        }
    }

    /// The agent's resident memory (VmRSS) in MiB; with `--smaps`, its smaps and status are
    /// copied to `label.smaps` and `label.status` first.
    private func agentRSS(label: String) throws -> Double {
        if let directory = options.smaps, let pid = agent?.processIdentifier {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in ["smaps", "status"] {
                let text = try String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8)
                try text.write(toFile: "\(directory)/\(label).\(file)", atomically: true, encoding: .utf8)
            }
        }
        guard let pid = agent?.processIdentifier,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw BenchError("cannot read the agent's VmRSS") }
        return kib / 1024
    }

    /// Removes every manifest and API pod and waits for the agent to remove the pods, stops it
    /// and the test control plane, removes what is left through `swiftlet runtime`, then the
    /// cgroups and directory (main.swift removes the namespace).
    func cleanUp() async {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: manifests)) ?? []).filter { $0.hasSuffix(".yaml") }
        for name in names { try? FileManager.default.removeItem(atPath: manifests + "/" + name) }
        if !names.isEmpty, agent?.isRunning == true, api == nil {
            try? await waitUntilGone(names.map { "default/\($0.dropLast(5))-\(nodeName)" }, timeout: 120)
        }
        await cleanUpAPI()
        stopAgent()
        for config in configs {
            if let pods = try? runCommand(options.swiftlet, ["runtime", "pods", "--config", config, "-q"]) {
                for pod in pods.split(separator: "\n") { _ = try? runCommand(options.swiftlet, ["runtime", "rmp", "--config", config, String(pod)]) }
            }
        }
        Self.removeCgroupTree("/sys/fs/cgroup/\(cgroupParent)")
        for controller in ["cpu", "cpuacct", "memory", "pids", "devices"] { Self.removeCgroupTree("/sys/fs/cgroup/\(controller)/\(cgroupParent)") }
        try? FileManager.default.removeItem(atPath: root)
    }

    static func removeCgroupTree(_ path: String) {
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + child, isDirectory: &isDirectory), isDirectory.boolValue {
                removeCgroupTree(path + "/" + child)
            }
        }
        rmdir(path)
    }
}
