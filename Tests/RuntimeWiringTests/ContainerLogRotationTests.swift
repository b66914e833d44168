// Container log rotation through the real agent: `swiftlet run` with a small
// `containerLogMaxSize`, a chatty container on the native runtime, and `swiftlet logs -f`
// following it across rotations (the agent in a network namespace the test created, as in
// AgentStaticPodTests).

import Foundation
import TestSupport
import Testing

@Suite("Container log rotation through the agent", .serialized,
       .requires(.root, .command("tar"), .command("nsenter"), .command("nft"), .command("ip"), .command("gzip"), .path("/usr/bin/busybox")))
struct ContainerLogRotationTests {
    static let tag = "registry.test/busybox:logrotate"

    @Test func chattyContainerKeepsAtMostMaxFilesOlderGzippedNoLineLostAndLogsFollowKeepsStreaming() async throws {
        try await AgentStaticPodTests.withAgent(tag: Self.tag) { try await runScenario($0) }
    }

    /// The number in each complete line ending in `line-N` in `text` (plain text or CRI lines).
    static func numbers(_ text: String) -> [Int] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().compactMap { line in
            guard let dash = line.lastIndex(of: UInt8(ascii: "-")) else { return nil }
            let prefix = line[..<dash].suffix(4)
            guard prefix.elementsEqual("line".utf8) else { return nil }
            return Int(String(decoding: line[line.index(after: dash)...], as: UTF8.self))
        }
    }

    /// The numbers in the complete lines of a CRI log file.
    static func fileNumbers(_ path: String) throws -> [Int] {
        let text = path.hasSuffix(".gz")
            ? try BusyboxLayout.run("/usr/bin/gzip", ["-dc", path])
            : try String(contentsOfFile: path, encoding: .utf8)
        return numbers(text)
    }

    static func isConsecutive(_ numbers: [Int]) -> Bool {
        zip(numbers, numbers.dropFirst()).allSatisfy { $1 == $0 + 1 }
    }

    func runScenario(_ scenario: AgentScenario) async throws {
        let (fixture, agent, config, manifests) = (scenario.fixture, scenario.agent, scenario.config, scenario.manifests)
        // Small logs, checked every 3s (the kubelet's minimum), three files per container.
        let original = try String(contentsOfFile: config, encoding: .utf8)
        try original.replacingOccurrences(
            of: "failSwapOn: false\n",
            with: "failSwapOn: false\ncontainerLogMaxSize: 64Ki\ncontainerLogMaxFiles: 3\ncontainerLogMonitorInterval: 3s\n"
        ).write(toFile: config, atomically: true, encoding: .utf8)
        try scenario.startAgent()
        // At most 1000 numbered lines (50K) a second: each 3s round finds more than 64Ki.
        try """
            apiVersion: v1
            kind: Pod
            metadata: {name: chatty, namespace: default}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: \(Self.tag)
                imagePullPolicy: Never
                command: [sh, -c, "i=0; while true; do echo line-$i; i=$((i+1)); [ $((i % 20)) -ne 0 ] || usleep 20000; done"]

            """.write(toFile: manifests + "/chatty.yaml", atomically: true, encoding: .utf8)

        func cli(_ arguments: [String]) throws -> String {
            try LocalAPICommandTests.swiftlet(arguments, config: config).output
        }
        let podName = try await AgentStaticPodTests.eventually("pods list shows chatty running", agent: agent) { () -> String? in
            try cli(["pods", "list"]).firstMatch(of: /(chatty-\S+) +1\/1 +Running/).map { String($0.1) }
        }
        let logsRoot = fixture.root + "/log/pods"
        let directory = try await AgentStaticPodTests.eventually("the container's log exists", agent: agent) { () -> String? in
            let pods = (try? FileManager.default.contentsOfDirectory(atPath: logsRoot)) ?? []
            return pods.first { $0.hasPrefix("default_chatty") }.map { "\(logsRoot)/\($0)/main" }
        }

        // `swiftlet logs -f` from the start, writing to a file the test reads.
        let followPath = fixture.root + "/follow.out"
        try #require(FileManager.default.createFile(atPath: followPath, contents: nil))
        let followOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: followPath))
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: scenario.swiftlet)
        follower.arguments = ["logs", "-f", podName, "--config", config]
        follower.standardOutput = followOutput
        follower.standardError = followOutput
        try follower.run()
        try followOutput.close()
        defer { if follower.isRunning { follower.terminate(); follower.waitUntilExit() } }

        // Watch rotations happen: never more than 3 files, until four different rotated files were seen
        // (so the oldest ones were removed).
        var seen = Set<String>()
        var mostFiles = 0
        let listing = try await AgentStaticPodTests.eventually("four rotations", agent: agent, attempts: 600) { () -> [String]? in
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            mostFiles = max(mostFiles, files.count)
            for file in files where file != "0.log" { seen.insert(file.replacingOccurrences(of: ".gz", with: "")) }
            return seen.count >= 4 ? files : nil
        }
        #expect(mostFiles <= 3, "at most containerLogMaxFiles files, the current one included: \(listing)")
        #expect(listing.contains("0.log"))
        #expect(listing.allSatisfy { $0 == "0.log" || $0.wholeMatch(of: /0\.log\.\d{8}-\d{6}(\.gz)?/) != nil }, "\(listing)")

        // Read the files between two rounds (again if a rotation happened while reading): the
        // older rotated file is gzip, the newest is plain, and the numbered lines run on across
        // both boundaries: none lost, none repeated.
        let boundaries = try await AgentStaticPodTests.eventually("a steady read of the files", agent: agent) { () -> (plain: Int, current: Int)? in
            let before = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            guard before.count == 3, before[0] == "0.log", before[1].hasSuffix(".gz"), !before[2].hasSuffix(".gz") else { return nil }
            guard let older = try? Self.fileNumbers("\(directory)/\(before[1])"),
                  let newest = try? Self.fileNumbers("\(directory)/\(before[2])"),
                  let current = try? Self.fileNumbers("\(directory)/0.log"),
                  ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() == before,
                  let olderLast = older.last, let newestFirst = newest.first, let newestLast = newest.last,
                  let currentFirst = current.first
            else { return nil }
            #expect(Self.isConsecutive(older) && Self.isConsecutive(newest) && Self.isConsecutive(current))
            #expect(newestFirst == olderLast + 1, "no line lost or repeated where \(before[2]) begins")
            #expect(currentFirst == newestLast + 1, "no line lost or repeated where the current log begins")
            return (newestFirst, currentFirst)
        }

        // `logs -f` streamed across those rotations without a gap or a repeat.
        _ = try await AgentStaticPodTests.eventually("logs -f passes the newest rotation", agent: agent) { () -> Bool? in
            let size = (try? FileManager.default.attributesOfItem(atPath: followPath)[.size] as? Int) ?? 0
            guard let handle = FileHandle(forReadingAtPath: followPath) else { return nil }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(max(0, size - 4096)))
            let tail = Self.numbers(String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self))
            return (tail.last ?? 0) > boundaries.current ? true : nil
        }
        #expect(follower.isRunning)
        let followed = Self.numbers((try? String(contentsOfFile: followPath, encoding: .utf8)) ?? "")
        #expect((followed.first ?? .max) < boundaries.plain, "logs -f started before the rotations checked")
        #expect(Self.isConsecutive(followed), "logs -f lost or repeated lines across rotations")

        // Removing the pod removes its container and, with it, its logs.
        try FileManager.default.removeItem(atPath: manifests + "/chatty.yaml")
        _ = try await AgentStaticPodTests.eventually("the removed container's logs are gone", agent: agent) { () -> Bool? in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).isEmpty ? true : nil
        }
    }
}
