import ContainerRuntime
import ContainerRuntimeTesting
import Foundation
import KubeAPI
import Testing

@testable import Kubelet

/// A test ran past its deadline waiting for something.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TimedOut` after `seconds`.
/// Runs `body`, failing with ``TimedOut`` after `seconds`: an upper bound for "eventually", kept
/// generous because the whole suite shares two cores; passing tests never wait for it.
func within<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// A fresh temporary directory, removed by the caller with `removeDirectory`.
func makeTemporaryDirectory(_ prefix: String = "kubelet-test") throws -> String {
    let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Writes a file atomically (rename), as editors and `kubectl` do.
func writeFile(_ path: String, _ text: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Decodes a pod from YAML for tests.
func pod(_ yaml: String) throws -> CoreV1.Pod {
    let decoder = ManifestDecoder(strict: true)
    let documents = try decoder.documents(in: yaml, file: "test.yaml")
    return try decoder.decode(CoreV1.Pod.self, from: try #require(documents.first))
}

/// A pod as the file source would hand it over: defaulted for node `node1`.
func staticPod(_ yaml: String, file: String = "/etc/kubernetes/manifests/test.yaml") throws -> CoreV1.Pod {
    StaticPodDefaults.apply(to: try pod(yaml), source: file, isFile: true, nodeName: "node1")
}

/// A source that delivers the snapshots a test hands it.
final class ScriptedPodSource: PodSource, Sendable {
    let name: String
    let stream: AsyncStream<PodSourceSnapshot>
    let continuation: AsyncStream<PodSourceSnapshot>.Continuation

    init(name: String = "file") {
        self.name = name
        (stream, continuation) = AsyncStream.makeStream(of: PodSourceSnapshot.self)
    }

    func send(_ pods: [CoreV1.Pod]) { continuation.yield(PodSourceSnapshot(source: name, pods: pods)) }

    func run(deliver: @escaping @Sendable (PodSourceSnapshot) async -> Void) async throws {
        for await snapshot in stream { await deliver(snapshot) }
    }
}

/// Collects what a source delivers.
actor SnapshotCollector {
    private(set) var snapshots: [PodSourceSnapshot] = []

    func add(_ snapshot: PodSourceSnapshot) { snapshots.append(snapshot) }

    var latest: PodSourceSnapshot? { snapshots.last }

    /// Waits (polling the collected list every 10 ms) until the latest snapshot satisfies `predicate`.
    func waitFor(_ predicate: @Sendable (PodSourceSnapshot) -> Bool) async -> PodSourceSnapshot {
        while true {
            if let latest, predicate(latest) { return latest }
            try? await Task.sleep(for: .milliseconds(10))
            if Task.isCancelled { return snapshots.last ?? PodSourceSnapshot(source: "", pods: []) }
        }
    }
}

extension CoreV1.Pod {
    var fullName: String { "\(metadata?.namespace ?? "")/\(metadata?.name ?? "")" }
    func containerStatus(_ name: String) -> CoreV1.ContainerStatus? {
        (status?.containerStatuses ?? []).first { $0.name == name } ?? (status?.initContainerStatuses ?? []).first { $0.name == name }
    }
    func condition(_ type: String) -> CoreV1.PodCondition? { status?.conditions?.first { $0.type == type } }
}
