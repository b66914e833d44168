import Foundation
import KubeAPI
import NodeAgent
import Testing

@Suite("swiftlet pods list table")
struct PodTableTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A pod from JSON, created ten minutes before `now`.
    static func pod(_ name: String, spec: String, status: String, deleting: Bool = false) throws -> CoreV1.Pod {
        let created = MetaV1.Time(now.addingTimeInterval(-600)).rfc3339
        let deletion = deleting ? ", \"deletionTimestamp\": \"\(created)\"" : ""
        let json = """
            {"metadata": {"name": "\(name)", "namespace": "default", "creationTimestamp": "\(created)"\(deletion)},
             "spec": {"nodeName": "node-1", \(spec)}, "status": {\(status)}}
            """
        return try CoreV1.Pod(from: JSONParser.parse(Array(json.utf8)), context: .lax)
    }

    static func row(_ pod: CoreV1.Pod) -> [String] {
        let lines = PodTable.render([pod], namespaces: false, now: now).split(separator: "\n")
        return lines[1].split(separator: "   ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func aRunningReadyPodShowsKubectlsWideColumns() throws {
        let pod = try Self.pod("web", spec: #""containers": [{"name": "main"}]"#, status: """
            "phase": "Running", "podIP": "10.0.0.5",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "main", "ready": true, "restartCount": 0, "image": "i", "imageID": "", "state": {"running": {}}}]
            """)
        let table = PodTable.render([pod], namespaces: false, now: Self.now)
        #expect(table.hasPrefix("NAME   READY   STATUS    RESTARTS   AGE   IP         NODE     NOMINATED NODE   READINESS GATES\n"))
        #expect(Self.row(pod) == ["web", "1/1", "Running", "0", "10m", "10.0.0.5", "node-1", "<none>", "<none>"])
        #expect(PodTable.render([pod], namespaces: true, now: Self.now).hasPrefix("NAMESPACE   NAME"))
    }

    @Test func aWaitingContainersReasonAndItsRestartsWithTheLastRestartsAge() throws {
        let finished = MetaV1.Time(Self.now.addingTimeInterval(-65)).rfc3339
        let pod = try Self.pod("crash", spec: #""containers": [{"name": "main"}]"#, status: """
            "phase": "Running",
            "containerStatuses": [{"name": "main", "ready": false, "restartCount": 4, "image": "i", "imageID": "",
              "state": {"waiting": {"reason": "CrashLoopBackOff"}},
              "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "\(finished)"}}}]
            """)
        let row = Self.row(pod)
        #expect(row[1...3] == ["0/1", "CrashLoopBackOff", "4 (65s ago)"])
    }

    @Test func initContainersShowAsInitProgressOrTheirReason() throws {
        let spec = #""initContainers": [{"name": "a"}, {"name": "b"}], "containers": [{"name": "main"}]"#
        let progressing = try Self.pod("init", spec: spec, status: """
            "phase": "Pending",
            "initContainerStatuses": [
              {"name": "a", "ready": false, "restartCount": 0, "image": "i", "imageID": "", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
              {"name": "b", "ready": false, "restartCount": 0, "image": "i", "imageID": "", "state": {"running": {}}}],
            "containerStatuses": [{"name": "main", "ready": false, "restartCount": 0, "image": "i", "imageID": "", "state": {"waiting": {"reason": "PodInitializing"}}}]
            """)
        #expect(Self.row(progressing)[2] == "Init:1/2")
        let failing = try Self.pod("init", spec: spec, status: """
            "phase": "Pending",
            "initContainerStatuses": [
              {"name": "a", "ready": false, "restartCount": 2, "image": "i", "imageID": "", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]
            """)
        #expect(Self.row(failing)[2] == "Init:CrashLoopBackOff")
        let exitCode = try Self.pod("init", spec: spec, status: """
            "phase": "Pending",
            "initContainerStatuses": [
              {"name": "a", "ready": false, "restartCount": 0, "image": "i", "imageID": "", "state": {"terminated": {"exitCode": 2}}}]
            """)
        #expect(Self.row(exitCode)[2] == "Init:ExitCode:2")
    }

    @Test func sidecarsCountAsContainersAndCompletedTurnsBackToRunningWhileOneRuns() throws {
        let spec = #""initContainers": [{"name": "proxy", "restartPolicy": "Always"}], "containers": [{"name": "job"}, {"name": "web"}]"#
        let pod = try Self.pod("mixed", spec: spec, status: """
            "phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}],
            "initContainerStatuses": [{"name": "proxy", "ready": true, "started": true, "restartCount": 1, "image": "i", "imageID": "", "state": {"running": {}}}],
            "containerStatuses": [
              {"name": "job", "ready": false, "restartCount": 0, "image": "i", "imageID": "", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
              {"name": "web", "ready": true, "restartCount": 0, "image": "i", "imageID": "", "state": {"running": {}}}]
            """)
        let row = Self.row(pod)
        #expect(row[1] == "2/3")
        #expect(row[2] == "NotReady")
        #expect(row[3] == "1")
    }

    @Test func aPodBeingDeletedIsTerminatingAndReadinessGatesAreCounted() throws {
        let pod = try Self.pod("going", spec: #""containers": [{"name": "main"}], "readinessGates": [{"conditionType": "example.com/lb"}]"#, status: """
            "phase": "Running",
            "containerStatuses": [{"name": "main", "ready": true, "restartCount": 0, "image": "i", "imageID": "", "state": {"running": {}}}]
            """, deleting: true)
        let row = Self.row(pod)
        #expect(row[2] == "Terminating")
        #expect(row.last == "0/1")
    }

    @Test func durationsReadAsKubectlPrintsThem() {
        let cases: [(TimeInterval, String)] = [
            (-5, "<invalid>"), (0, "0s"), (119, "119s"), (120, "2m"), (303, "5m3s"), (600, "10m"), (179 * 60, "179m"),
            (3 * 3600, "3h"), (3 * 3600 + 120, "3h2m"), (20 * 3600, "20h"), (76 * 3600, "3d4h"), (30 * 86400, "30d"),
            (740 * 86400, "2y10d"), (9 * 365 * 86400, "9y"),
        ]
        for (interval, text) in cases {
            #expect(PodTable.humanDuration(interval) == text, "\(interval)s")
        }
    }
}
