// The pod status table file `PodStatusReport` keeps while it runs: rewritten by its own task after
// each change (so the log lines never wait for the disk), current after a burst of changes, and
// removed when the agent stops.

import Foundation
import KubeAPI
import Kubelet
import Logging
import Testing

@testable import NodeAgent

struct PodStatusReportTests {
    private static func pod(_ name: String, uid: String) -> CoreV1.Pod {
        CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: name, namespace: "default", uid: uid))
    }

    private static func status(_ phase: String, ready: Bool) -> CoreV1.PodStatus {
        CoreV1.PodStatus(conditions: [CoreV1.PodCondition(status: ready ? "True" : "False", type: "Ready")], phase: phase, podIP: "10.88.0.7")
    }

    /// Reads the file until it holds `expected` (the writer runs on its own task), at most 10 s.
    private static func waitForTable(_ path: String, _ expected: String) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(10)
        var text: String? = nil
        while ContinuousClock.now < deadline {
            text = try? String(contentsOfFile: path, encoding: .utf8)
            if text == expected { return text }
            try await Task.sleep(for: .milliseconds(10))
        }
        return text
    }

    @Test func tableFileFollowsABurstOfChangesToTheLatestStatusesAndIsRemovedAtStop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-status-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pods"
        let statuses = PodStatusStore()
        let report = PodStatusReport(statuses: statuses, path: path, logger: Logger(label: "test"))
        let running = Task { try await report.run() }

        #expect(try await Self.waitForTable(path, PodStatusReport.table([])) == PodStatusReport.table([]))
        // Many changes at once: whatever writes coalesce, the file ends with the latest of each pod.
        for index in 0..<20 {
            await statuses.set(Self.pod("web-\(index % 4)", uid: "uid-\(index % 4)"), status: Self.status("Pending", ready: false))
        }
        for index in 0..<4 {
            await statuses.set(Self.pod("web-\(index)", uid: "uid-\(index)"), status: Self.status("Running", ready: index != 0))
        }
        await statuses.remove(uid: "uid-3")
        let expected = PodStatusReport.table(await statuses.all.map(PodStatusReport.Summary.init))
        #expect(expected.split(separator: "\n").count == 4)
        #expect(try await Self.waitForTable(path, expected) == expected)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))

        running.cancel()
        _ = try? await running.value
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
