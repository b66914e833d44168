import BenchReport
import Foundation
import Glibc
import ServiceProxy

extension ProxyBench {
    /// `proxy_rss_N`: the resident memory of a real `swiftlet proxy run` in a fresh namespace,
    /// reading N Services and their EndpointSlices (3 endpoints each) from manifest files, once
    /// its first sync has programmed all N (the `service-ips` map has N elements) and a second
    /// has passed; ten readings 100 ms apart. The process is stopped by its pid afterwards. No
    /// peer: there is no kube-proxy binary on the machine to run against.
    func proxyRSS() async throws -> [ReportRow] {
        let size = options.scale
        guard access(options.swiftlet, X_OK) == 0 else {
            throw BenchError("\(options.swiftlet) is missing; build it (swift build -c release --product swiftlet) or pass --swiftlet")
        }
        let workload = SyntheticWorkload(services: size)
        let directory = try resources.makeDirectory()
        defer { resources.removeDirectory(directory) }
        try FileManager.default.createDirectory(atPath: directory + "/manifests", withIntermediateDirectories: true)
        _ = try write(WorkloadManifests.services(workload), to: directory + "/manifests", name: "services.json")
        _ = try write(WorkloadManifests.endpointSlices(workload), to: directory + "/manifests", name: "endpointslices.json")
        let config = try write("""
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: nftables
            clusterCIDR: \(Self.clusterCIDR)
            hostnameOverride: \(Self.hostname)
            healthzBindAddress: 127.0.0.1:10256
            metricsBindAddress: 127.0.0.1:10249

            """, to: directory, name: "config.yaml")
        let namespace = try resources.makeNamespace("rss")
        defer { resources.removeNamespace(namespace) }
        let log = directory + "/proxy.log"

        let started = now()
        let pid = try resources.start(options.swiftlet, ["proxy", "run", "--config", config, "--manifests", directory + "/manifests"],
                                      in: namespace, logPath: log)
        defer { resources.stop(pid) }
        func tail() -> String {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(15).joined(separator: "\n")
        }
        // Programmed: the service-ips map holds every service (one transaction, so all or none).
        let deadline = Date().addingTimeInterval(300)
        while true {
            guard resources.isRunning(pid) else { throw BenchError("swiftlet proxy run exited; the end of its log:\n\(tail())") }
            let listing = (try? resources.run(options.nft, ["list", "map", "ip", "kube-proxy", "service-ips"], in: namespace)) ?? ""
            if listing.components(separatedBy: "goto service-").count - 1 >= size { break }
            guard Date() < deadline else { throw BenchError("swiftlet proxy run did not program \(size) services in 300 s; the end of its log:\n\(tail())") }
            try await Task.sleep(for: .milliseconds(250))
        }
        print("proxy_rss: swiftlet proxy run programmed \(size) services \(String(format: "%.1f", Double(now() - started) / 1e9)) s after it was started")
        try await Task.sleep(for: .seconds(1))
        var readings: [UInt64] = []
        for _ in 0..<10 {
            readings.append(try residentKiB(pid))
            try await Task.sleep(for: .milliseconds(100))
        }
        if let anon = try? residentKiB(pid, field: "RssAnon"), let file = try? residentKiB(pid, field: "RssFile") {
            print("proxy_rss: of the last reading, anonymous \(String(format: "%.1f", Double(anon) / 1024)) MiB, "
                  + "file-backed (mostly the binary's code) \(String(format: "%.1f", Double(file) / 1024)) MiB")
        }
        return [ReportRow(metric: "proxy_rss_\(size)", unit: "MiB", median: ReportRow.median(readings) / 1024,
                          p99: ReportRow.percentile(readings, 99) / 1024, peer: "-", peerMedian: nil)]
    }

    /// `field` (VmRSS, RssAnon, RssFile) of `pid` in KiB.
    private func residentKiB(_ pid: pid_t, field: String = "VmRSS") throws -> UInt64 {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kib = UInt64(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw BenchError("cannot read \(field) of pid \(pid) from /proc/\(pid)/status") }
        return kib
    }
}
