import BenchReport
import Foundation
import Glibc

/// One run of the pods suite: a node namespace and a scratch directory, the busybox image
/// imported, `swiftlet run` started in the namespace, then the measurements.
@MainActor
final class PodBench {
    let options: Options
    let id = String(UUID().uuidString.prefix(8)).lowercased()
    var root: String { "/tmp/swiftlet-bench-pods-\(id)" }
    var namespace: String { "swiftlet-bench-\(id)" }
    var cgroupParent: String { "swiftlet-bench-pods-\(id)" }
    var manifests: String { root + "/manifests" }
    var config: String { root + "/config.yaml" }
    static let tag = "registry.bench/busybox:pods"
    private var agent: Process?
    private var log: AgentLog

    init(options: Options) {
        self.options = options
        log = AgentLog(path: "")
        log = AgentLog(path: root + "/agent.log")
    }

    func run() async throws -> [ReportRow] {
        try prepare()
        try startAgent()
        // Idle: the agent has opened its runtime and network; let start-up allocations settle.
        try await Task.sleep(for: .seconds(3))
        let idleRSS = try agentRSS()

        var startups: [UInt64] = []
        for index in 0..<options.iterations {
            let pod = "default/single-\(index)-\(nodeName)"
            let started = try writeManifest("single-\(index)")
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
        let busyRSS = try agentRSS()
        for name in names { try removeManifest(name) }
        try await waitUntilGone(names.map { "default/\($0)-\(nodeName)" }, timeout: 300)

        return [
            ReportRow(metric: "pod_startup", unit: "ms", nanoseconds: startups, peer: "-", peerNanoseconds: nil),
            ReportRow(metric: "pod_burst_\(options.pods)", unit: "ms", nanoseconds: [burst], peer: "-", peerNanoseconds: nil),
            ReportRow(metric: "agent_rss_idle", unit: "MiB", median: idleRSS, p99: idleRSS, peer: "-", peerMedian: nil),
            ReportRow(metric: "agent_rss_\(options.pods)", unit: "MiB", median: busyRSS, p99: busyRSS, peer: "-", peerMedian: nil),
        ]
    }

    /// The node name static pods are suffixed with: the host name, lower-cased.
    var nodeName: String { ProcessInfo.processInfo.hostName.split(separator: ".").first.map { $0.lowercased() } ?? "node" }

    private func prepare() throws {
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try runCommand("/usr/sbin/ip", ["netns", "add", namespace])
        try runCommand("/usr/sbin/ip", ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        try runCommand("/bin/bash", [options.busyboxImage, root + "/layout", Self.tag])
        try runCommand(options.swiftlet, ["images", "import", "--root", root + "/images", root + "/layout"])
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

    private func startAgent() throws {
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw BenchError("cannot create \(log.path)") }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log.path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--net=/run/netns/\(namespace)", options.swiftlet, "run", "--config", config]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try output.close()
        agent = process
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

    private func checkAgent() throws {
        guard let agent, agent.isRunning else {
            let tail = ((try? String(contentsOfFile: log.path, encoding: .utf8)) ?? "").split(separator: "\n").suffix(20).joined(separator: "\n")
            throw BenchError("the agent exited; the end of its log:\n\(tail)")
        }
    }

    /// The agent's resident memory (VmRSS) in MiB.
    private func agentRSS() throws -> Double {
        guard let pid = agent?.processIdentifier,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw BenchError("cannot read the agent's VmRSS") }
        return kib / 1024
    }

    /// Removes every manifest and waits for the agent to remove the pods, stops it, removes
    /// what is left through `swiftlet runtime`, then the namespace, cgroups and directory.
    func cleanUp() async {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: manifests)) ?? []).filter { $0.hasSuffix(".yaml") }
        for name in names { try? FileManager.default.removeItem(atPath: manifests + "/" + name) }
        if !names.isEmpty, agent?.isRunning == true {
            try? await waitUntilGone(names.map { "default/\($0.dropLast(5))-\(nodeName)" }, timeout: 120)
        }
        if let agent, agent.isRunning {
            agent.terminate()
            agent.waitUntilExit()
        }
        if let pods = try? runCommand(options.swiftlet, ["runtime", "pods", "--config", config, "-q"]) {
            for pod in pods.split(separator: "\n") { _ = try? runCommand(options.swiftlet, ["runtime", "rmp", "--config", config, String(pod)]) }
        }
        _ = try? runCommand("/usr/sbin/ip", ["netns", "delete", namespace])
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
