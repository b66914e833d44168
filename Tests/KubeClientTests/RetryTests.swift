import KubeAPI
import Testing

@testable import KubeClient

@Suite("Retries")
struct RetryTests {
    @Test func tooManyRequestsIsRetriedAfterTheServersRetryAfter() async throws {
        let clock = TestClock()
        let transport = FakeTransport(sequence: [
            json(statusBody(code: 429, reason: "TooManyRequests"), status: 429, headers: [("Retry-After", "3")]),
            json(statusBody(code: 503, reason: "ServiceUnavailable"), status: 503, headers: [("Retry-After", "1")]),
            json(podJSON("web", resourceVersion: "7")),
        ])
        let client = try makeClient(transport, clock: clock)
        let pod = try await client.get(CoreV1.Pod.self, name: "web")
        #expect(pod.metadata?.resourceVersion == "7")
        #expect(transport.requests.count == 3)
        #expect(clock.sleeps == [.seconds(3), .seconds(1)])
    }

    @Test func fiveHundredsWithoutRetryAfterBackOffExponentiallyWithJitter() async throws {
        let clock = TestClock()
        let transport = FakeTransport(sequence: [
            json(statusBody(code: 500, reason: "InternalError"), status: 500),
            json(statusBody(code: 502, reason: ""), status: 502),
            json(statusBody(code: 504, reason: "Timeout"), status: 504),
            json(podJSON("web", resourceVersion: "7")),
        ])
        let policy = RetryPolicy(initialBackoff: .milliseconds(100), maxBackoff: .seconds(30), jitter: 0.5)
        let client = try makeClient(transport, clock: clock, retry: policy)
        _ = try await client.get(CoreV1.Pod.self, name: "web")
        let sleeps = clock.sleeps.map(\.seconds)
        #expect(sleeps.count == 3)
        for (index, base) in [0.1, 0.2, 0.4].enumerated() {
            #expect(sleeps[index] >= base - 1e-9 && sleeps[index] <= base * 1.5 + 1e-9)
        }
    }

    @Test func attemptsAreBoundedAndTheLastAnswerIsTheError() async throws {
        let clock = TestClock()
        let transport = FakeTransport { _ in
            json(statusBody(code: 503, reason: "ServiceUnavailable", message: "busy"), status: 503, headers: [("Retry-After", "1")])
        }
        let client = try makeClient(transport, clock: clock)
        let error = await #expect(throws: KubeAPIError.self) { try await client.get(CoreV1.Pod.self, name: "web") }
        #expect(error?.code == 503)
        #expect(transport.requests.count == 10)
        #expect(clock.sleeps.count == 9)
    }

    @Test func postIsRetriedOnlyWhenTheServerSaidTooManyRequests() async throws {
        let pod = try CoreV1.Pod(decoding: podJSON("new", resourceVersion: ""), strict: false)
        let after503 = FakeTransport(sequence: [
            json(statusBody(code: 503, reason: "ServiceUnavailable"), status: 503, headers: [("Retry-After", "1")]),
            json(podJSON("new", resourceVersion: "1"), status: 201),
        ])
        await #expect(throws: KubeAPIError.self) { try await makeClient(after503).create(pod) }
        #expect(after503.requests.count == 1)

        let after429 = FakeTransport(sequence: [
            json(statusBody(code: 429, reason: "TooManyRequests"), status: 429, headers: [("Retry-After", "1")]),
            json(podJSON("new", resourceVersion: "1"), status: 201),
        ])
        let created = try await makeClient(after429).create(pod)
        #expect(created.metadata?.resourceVersion == "1")
        #expect(after429.requests.count == 2)
    }

    @Test func getIsRetriedWhenNoAnswerArrived() async throws {
        let calls = Mutex(0)
        let transport = FakeTransport { _ in
            let call = calls.withLock { value -> Int in
                value += 1
                return value
            }
            if call == 1 { throw KubeTransportError(message: "connection refused") }
            return json(podJSON("web", resourceVersion: "2"))
        }
        let pod = try await makeClient(transport).get(CoreV1.Pod.self, name: "web")
        #expect(pod.metadata?.name == "web")
        #expect(transport.requests.count == 2)
    }

    @Test func conflictIsNotRetriedAndIsTyped() async throws {
        let transport = FakeTransport { _ in
            json(statusBody(code: 409, reason: "Conflict", message: "the object has been modified"), status: 409)
        }
        var pod = try CoreV1.Pod(decoding: podJSON("web", resourceVersion: "3"), strict: false)
        pod.metadata?.resourceVersion = "3"
        let error = await #expect(throws: KubeAPIError.self) { try await makeClient(transport).update(pod) }
        #expect(error?.isConflict == true)
        #expect(error?.isAlreadyExists == false)
        #expect(transport.requests.count == 1)
        #expect(transport.requests.first?.method == "PUT")
        #expect(transport.requests.first?.target == "/api/v1/namespaces/default/pods/web")
    }

    @Test func aBodyThatIsNotAStatusStillGivesTheTypedReason() async throws {
        let transport = FakeTransport { _ in KubeHTTPResponse(status: 404, bytes: Array("404 page not found".utf8)) }
        let error = await #expect(throws: KubeAPIError.self) { try await makeClient(transport).get(CoreV1.Node.self, name: "n") }
        #expect(error?.isNotFound == true)
        #expect(error?.status.message == "404 page not found")
    }
}

import Synchronization
