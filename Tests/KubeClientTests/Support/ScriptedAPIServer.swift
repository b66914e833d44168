import KubeAPI
import Synchronization

@testable import KubeClient

/// Pods held in memory and served at the transport seam: lists (paged by `limit`), and watches
/// whose streams the test drives line by line.
final class ScriptedAPIServer: Sendable {
    struct State {
        var pods: [String: JSONValue] = [:]
        var resourceVersion = 100
        var watches: [(target: String, continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation)] = []
        var lists: [String] = []
    }
    let state = Mutex(State())

    var transport: FakeTransport {
        FakeTransport { [self] request in self.answer(request) }
    }

    /// Stores `name` with a new resourceVersion and returns the object.
    @discardableResult
    func put(_ name: String) -> JSONValue {
        state.withLock { state in
            state.resourceVersion += 1
            let pod = podJSON(name, resourceVersion: String(state.resourceVersion))
            state.pods[name] = pod
            return pod
        }
    }

    @discardableResult
    func remove(_ name: String) -> JSONValue? {
        state.withLock { state in
            state.resourceVersion += 1
            return state.pods.removeValue(forKey: name)
        }
    }

    var watchTargets: [String] { state.withLock { $0.watches.map(\.target) } }
    var listTargets: [String] { state.withLock { $0.lists } }

    /// Sends a line on the newest watch.
    func send(_ type: String, _ object: JSONValue) {
        state.withLock { _ = $0.watches.last?.continuation.yield(watchLine(type, object)) }
    }

    /// Ends the newest watch cleanly (as when timeoutSeconds passes or a proxy drops it).
    func endWatch() {
        state.withLock { $0.watches.last?.continuation.finish() }
    }

    /// Breaks the newest watch's connection.
    func breakWatch() {
        state.withLock { $0.watches.last?.continuation.finish(throwing: KubeTransportError(message: "connection reset")) }
    }

    /// Waits until `count` watches have been opened.
    func waitForWatches(_ count: Int) async throws {
        for _ in 0..<20_000 where state.withLock({ $0.watches.count }) < count {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(state.withLock { $0.watches.count } >= count, "watch \(count) was never opened")
    }

    private func answer(_ request: KubeHTTPRequest) -> KubeHTTPResponse {
        if request.target.contains("watch=true") {
            let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self, throwing: (any Error).self)
            state.withLock { $0.watches.append((request.target, continuation)) }
            return KubeHTTPResponse(status: 200, body: stream)
        }
        return state.withLock { state in
            state.lists.append(request.target)
            let names = state.pods.keys.sorted()
            let limit = query(request.target, "limit").flatMap(Int.init) ?? names.count
            let start = query(request.target, "continue").flatMap(Int.init) ?? 0
            let page = names.dropFirst(start).prefix(limit)
            var metadata: JSONObject = ["resourceVersion": .string(String(state.resourceVersion))]
            if start + page.count < names.count { metadata.append("continue", .string(String(start + page.count))) }
            return json([
                "kind": "PodList", "apiVersion": "v1", "metadata": .object(metadata),
                "items": .array(JSONArray(page.compactMap { state.pods[$0] })),
            ])
        }
    }

    private func query(_ target: String, _ name: String) -> String? {
        guard let query = target.split(separator: "?").dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return String(parts[1]) }
        }
        return nil
    }
}

import Testing
