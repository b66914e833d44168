import KubeAPI
import Synchronization
import Testing

@testable import Kubelet

/// A watcher whose objects a test sets; counts the watches it opened and those still open.
final class FakeConfigObjectWatcher: ConfigObjectWatcher {
    private struct State {
        var configMaps: [String: CoreV1.ConfigMap] = [:]
        var open: [String: AsyncThrowingStream<CoreV1.ConfigMap?, any Error>.Continuation] = [:]
        var opened: [String] = []
    }

    private let state = Mutex(State())

    var opened: [String] { state.withLock { $0.opened } }
    var openNow: Set<String> { state.withLock { Set($0.open.keys) } }

    /// Sets (or, with nil, deletes) a ConfigMap and tells its open watch.
    func set(_ namespace: String, _ name: String, data: [String: String]?) {
        let key = "\(namespace)/\(name)"
        let object = data.map { CoreV1.ConfigMap(data: $0, metadata: MetaV1.ObjectMeta(name: name, namespace: namespace)) }
        let watch = state.withLock { state in
            state.configMaps[key] = object
            return state.open[key]
        }
        watch?.yield(object)
    }

    func watchConfigMap(namespace: String, name: String) -> AsyncThrowingStream<CoreV1.ConfigMap?, any Error> {
        let key = "\(namespace)/\(name)"
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: CoreV1.ConfigMap?.self)
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.open.removeValue(forKey: key) } }
        let current = state.withLock { state in
            state.open[key] = continuation
            state.opened.append(key)
            return state.configMaps[key]
        }
        continuation.yield(current)
        return stream
    }

    func watchSecret(namespace: String, name: String) -> AsyncThrowingStream<CoreV1.Secret?, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: CoreV1.Secret?.self)
        continuation.yield(nil)
        return stream
    }
}

/// Counts `onChange` calls.
final class ChangeCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func bump() { count.withLock { $0 += 1 } }
}

@Suite("ConfigMaps and Secrets on demand")
struct APIConfigObjectsTests {
    static func podUsing(_ configMap: String) throws -> CoreV1.Pod {
        try apiPod("web", uid: "uid-web", extra: "volumes: [{name: content, configMap: {name: \(configMap)}}]")
    }

    @Test func objectIsFetchedOnceWatchedAndChangesAreSignalled() async throws {
        let watcher = FakeConfigObjectWatcher()
        let changes = ChangeCounter()
        let objects = APIConfigObjects(watcher: watcher, onChange: { changes.bump() })
        watcher.set("default", "content", data: ["index.html": "v1"])

        #expect(try await objects.configMap(namespace: "default", name: "content")?.data?["index.html"] == "v1")
        #expect(try await objects.configMap(namespace: "default", name: "content")?.data?["index.html"] == "v1")
        #expect(watcher.opened == ["default/content"], "served from the watch's cache after the first fetch")

        watcher.set("default", "content", data: ["index.html": "v2"])
        try await within(30, "the change signalled") {
            while changes.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(try await objects.configMap(namespace: "default", name: "content")?.data?["index.html"] == "v2")
    }

    @Test func missingObjectIsNilAndOnlyReferencedObjectsStayWatched() async throws {
        let watcher = FakeConfigObjectWatcher()
        let objects = APIConfigObjects(watcher: watcher)
        #expect(try await objects.configMap(namespace: "default", name: "absent") == nil)
        _ = try await objects.configMap(namespace: "default", name: "content")
        #expect(await objects.watched.count == 2)

        await objects.retain(referencedBy: [try Self.podUsing("content")])
        #expect(await objects.watched == [APIConfigObjects.Key(.configMap, namespace: "default", name: "content")])
        try await within(30, "the unreferenced watch closed") {
            while watcher.openNow.contains("default/absent") { try await Task.sleep(for: .milliseconds(10)) }
        }

        await objects.retain(referencedBy: [])
        #expect(await objects.watched.isEmpty)
    }

    @Test func referencesCoverVolumesProjectedSourcesEnvAndEnvFrom() throws {
        let pod = try apiPod(
            "web", uid: "uid-web",
            extra: """
                volumes:
                  - {name: a, configMap: {name: cm-volume}}
                  - {name: b, secret: {secretName: s-volume}}
                  - {name: c, projected: {sources: [{configMap: {name: cm-projected}}, {secret: {name: s-projected}}]}}
                """,
            containerExtra: """
                env: [{name: X, valueFrom: {configMapKeyRef: {name: cm-env, key: k}}}, {name: Y, valueFrom: {secretKeyRef: {name: s-env, key: k}}}]
                    envFrom: [{configMapRef: {name: cm-envfrom}}, {secretRef: {name: s-envfrom}}]
                """)
        let keys = Set(APIConfigObjects.references(of: pod).map(\.description))
        #expect(keys == [
            "ConfigMap default/cm-volume", "Secret default/s-volume", "ConfigMap default/cm-projected", "Secret default/s-projected",
            "ConfigMap default/cm-env", "Secret default/s-env", "ConfigMap default/cm-envfrom", "Secret default/s-envfrom",
        ])
    }
}
