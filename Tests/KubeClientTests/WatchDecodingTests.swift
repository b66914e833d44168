import KubeAPI
import Synchronization
import Testing

@testable import KubeClient

@Suite("Watch streams")
struct WatchDecodingTests {
    final class Reports: Sendable {
        let list = Mutex<[UndecodableObject]>([])
    }

    func events(_ chunks: [[UInt8]], skipped: Reports = Reports()) async throws -> [KubeWatchEvent<CoreV1.Pod>] {
        let transport = FakeTransport { _ in
            KubeHTTPResponse(status: 200, body: AsyncThrowingStream { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish()
            })
        }
        let client = try makeClient(transport, onUndecodable: { object in skipped.list.withLock { $0.append(object) } })
        var result: [KubeWatchEvent<CoreV1.Pod>] = []
        for try await event in try await client.watch(CoreV1.Pod.self, options: ListOptions(resourceVersion: "5", allowWatchBookmarks: true)) {
            result.append(event)
        }
        return result
    }

    @Test func linesSplitAcrossChunksDecodeInOrderWithBookmarks() async throws {
        var bytes = watchLine("ADDED", podJSON("a", resourceVersion: "6"))
        bytes += watchLine("MODIFIED", podJSON("a", resourceVersion: "7"))
        bytes += watchLine("BOOKMARK", ["kind": "Pod", "apiVersion": "v1", "metadata": ["resourceVersion": "9"]])
        bytes += watchLine("DELETED", podJSON("a", resourceVersion: "10"))
        // Chunks of 7 bytes cut lines and UTF-8 anywhere.
        let chunks = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min($0 + 7, bytes.count)]) }
        let events = try await events(chunks)
        #expect(events.map { $0.resourceVersion } == ["6", "7", "9", "10"])
        guard case .deleted(let pod) = events.last else {
            Issue.record("expected a deletion last")
            return
        }
        #expect(pod.metadata?.name == "a")
    }

    @Test func anObjectThatDoesNotDecodeIsReportedAndSkippedAndTheWatchGoesOn() async throws {
        var broken = podJSON("bad", resourceVersion: "7")
        broken = broken.setting("spec", to: ["containers": "not-a-list"])
        let skipped = Reports()
        let unknownFields = podJSON("extra", resourceVersion: "8").setting("futureField", to: ["x": 1])
        let events = try await events(
            [watchLine("ADDED", podJSON("a", resourceVersion: "6")) + watchLine("ADDED", broken)
                + watchLine("ADDED", unknownFields)], skipped: skipped)
        #expect(events.map { $0.resourceVersion } == ["6", "8"])
        let reports = skipped.list.withLock { $0 }
        #expect(reports.map(\.key) == ["default/bad"])
        #expect(reports.first?.message.contains("spec.containers") == true)
    }

    @Test func errorEventWith410IsTypedGone() async throws {
        let lines = watchLine("ADDED", podJSON("a", resourceVersion: "6"))
            + watchLine("ERROR", statusBody(code: 410, reason: "Expired", message: "too old resource version: 5 (9)"))
        let error = await #expect(throws: KubeAPIError.self) { _ = try await self.events([lines]) }
        #expect(error?.isGone == true)
    }

    @Test func aLineThatIsNotJSONEndsTheWatchWithADecodingError() async throws {
        await #expect(throws: KubeDecodingError.self) { _ = try await self.events([Array("{not json\n".utf8)]) }
    }

    @Test func watchRequestCarriesTheQueryClientGoSends() async throws {
        let transport = FakeTransport { _ in KubeHTTPResponse(status: 200, bytes: []) }
        let client = try makeClient(transport)
        let options = ListOptions(
            labelSelector: "app=web", fieldSelector: "spec.nodeName=node-1", resourceVersion: "42", timeoutSeconds: 300,
            allowWatchBookmarks: true)
        for try await _ in try await client.watch(CoreV1.Pod.self, allNamespaces: true, options: options) {}
        #expect(
            transport.requests.first?.target
                == "/api/v1/pods?watch=true&labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dnode-1&resourceVersion=42&timeoutSeconds=300&allowWatchBookmarks=true"
        )
    }
}
