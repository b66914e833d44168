import KubeAPI
import Synchronization

@testable import KubeClient

/// A transport whose answers a test scripts, recording every request it was sent.
final class FakeTransport: KubeHTTPTransport {
    typealias Handler = @Sendable (KubeHTTPRequest) async throws -> KubeHTTPResponse
    private let handler: Handler
    private let sent = Mutex<[KubeHTTPRequest]>([])

    init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// Answers from `responses` in order, then 500.
    convenience init(sequence responses: [KubeHTTPResponse]) {
        let queue = Mutex(responses)
        self.init { _ in
            queue.withLock { $0.isEmpty ? KubeHTTPResponse(status: 500, bytes: []) : $0.removeFirst() }
        }
    }

    var requests: [KubeHTTPRequest] { sent.withLock { $0 } }

    func send(_ request: KubeHTTPRequest) async throws -> KubeHTTPResponse {
        sent.withLock { $0.append(request) }
        return try await handler(request)
    }

    func shutdown() async throws {}
}

/// A clock whose sleeps return at once, advancing its time and remembering each wait.
final class TestClock: Sendable {
    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))

    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func advance(_ duration: Duration) {
        state.withLock { $0.now += duration }
    }

    var clock: KubeClock {
        KubeClock(
            now: { [self] in state.withLock { $0.now } },
            sleep: { [self] duration in
                try Task.checkCancellation()
                state.withLock {
                    $0.now += duration
                    $0.sleeps.append(duration)
                }
                await Task.yield()
            })
    }
}

func json(_ value: JSONValue, status: Int = 200, headers: [(name: String, value: String)] = []) -> KubeHTTPResponse {
    KubeHTTPResponse(status: status, headers: headers, bytes: JSONWriter.bytes(value))
}

func statusBody(code: Int, reason: String, message: String = "") -> JSONValue {
    [
        "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": .number(String(code)),
        "reason": .string(reason), "message": .string(message),
    ]
}

func podJSON(_ name: String, namespace: String = "default", resourceVersion: String, node: String = "node-1") -> JSONValue {
    [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(resourceVersion)],
        "spec": ["nodeName": .string(node), "containers": [["name": "c", "image": "busybox"]]],
    ]
}

func watchLine(_ type: String, _ object: JSONValue) -> [UInt8] {
    JSONWriter.bytes(["type": .string(type), "object": object]) + [UInt8(ascii: "\n")]
}

func makeClient(
    _ transport: FakeTransport, clock: TestClock = TestClock(), qps: Double = -1, burst: Int = 100,
    retry: RetryPolicy = RetryPolicy(), credentials: KubeClientConfiguration.Credentials = .none,
    onUndecodable: (@Sendable (UndecodableObject) -> Void)? = nil
) throws -> KubeClient {
    let configuration = KubeClientConfiguration(
        server: "https://api.test:6443", credentials: credentials, namespace: "default", qps: qps, burst: burst,
        retry: retry)
    return try KubeClient(
        configuration: configuration, transport: transport, clock: clock.clock, onUndecodableObject: onUndecodable)
}
