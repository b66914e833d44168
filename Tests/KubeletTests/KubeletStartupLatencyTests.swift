import ContainerRuntime
import Foundation
import KubeAPI
import Testing

@testable import Kubelet

/// The start path measured on the fake runtime: a manifest file appears → its containers run and
/// the pod is Ready. The goals (p99 ≤ 100 ms for one pod, a 100-pod burst ≤ 3 s) are for the real
/// runtime (`scripts/bench pods`); here they bound the kubelet's own share.
@Suite("Startup latency on the fake runtime", .serialized)
struct KubeletStartupLatencyTests {
    /// The median, not the maximum, is checked: on a shared two-core machine one sample can
    /// wait for the scheduler.
    @Test func onePodFileIsReadyInAMedianWellWithinOneHundredMilliseconds() async throws {
        let harness = try KubeletHarness()
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        for i in 0..<20 {
            let start = clock.now
            try harness.write("p\(i).yaml", podManifest("p\(i)"))
            _ = try await harness.waitUntilReady("p\(i)")
            latencies.append(clock.now - start)
        }
        await harness.tearDown()
        let sorted = latencies.sorted()
        let p50 = sorted[sorted.count / 2]
        let worst = sorted.last!
        print("single pod file → Ready: p50 \(p50), max \(worst) over \(sorted.count) pods: \(latencies)")
        #expect(p50 < .milliseconds(100))
    }

    @Test func burstOfOneHundredPodFilesIsReadyWithinThreeSeconds() async throws {
        let harness = try KubeletHarness()
        let staging = try makeTemporaryDirectory("staging")
        defer { removeDirectory(staging) }
        for i in 0..<100 { try writeFile("\(staging)/b\(i).yaml", podManifest("b\(i)")) }
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<100 { try FileManager.default.moveItem(atPath: "\(staging)/b\(i).yaml", toPath: "\(harness.manifests)/b\(i).yaml") }
        let statuses = harness.kubelet.statuses
        try await within(10, "100 Ready pods") {
            while await statuses.all.filter({ $0.condition("Ready")?.status == "True" }).count < 100 {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        let elapsed = clock.now - start
        await harness.tearDown()
        print("100 pod files → all Ready: \(elapsed)")
        #expect(elapsed < .seconds(3))
    }
}
