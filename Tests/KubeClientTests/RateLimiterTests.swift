import Testing

@testable import KubeClient

@Suite("Client-side rate limit")
struct RateLimiterTests {
    @Test func burstGoesAtOnceThenRequestsAreSpacedAtQPS() async throws {
        let clock = TestClock()
        let limiter = TokenBucketRateLimiter(qps: 50, burst: 100, clock: clock.clock)
        for _ in 0..<100 { try await limiter.acquire() }
        #expect(clock.sleeps.isEmpty)
        for _ in 0..<10 { try await limiter.acquire() }
        // Each request past the burst waits one token's time: 1/50 s.
        #expect(clock.sleeps.count == 10)
        for wait in clock.sleeps {
            #expect(abs(wait.seconds - 0.02) < 0.001)
        }
    }

    @Test func concurrentWaitersReserveTokensInTurn() {
        let clock = TestClock()
        let limiter = TokenBucketRateLimiter(qps: 10, burst: 1, clock: clock.clock)
        #expect(limiter.reserve() == .zero)
        let second = limiter.reserve()
        let third = limiter.reserve()
        #expect(abs(second.seconds - 0.1) < 0.001)
        #expect(abs(third.seconds - 0.2) < 0.001)
    }

    @Test func idleTimeRefillsTheBucketUpToBurstOnly() {
        let clock = TestClock()
        let limiter = TokenBucketRateLimiter(qps: 10, burst: 3, clock: clock.clock)
        for _ in 0..<3 { #expect(limiter.reserve() == .zero) }
        clock.advance(.seconds(60))
        for _ in 0..<3 { #expect(limiter.reserve() == .zero) }
        #expect(limiter.reserve() > .zero)
    }

    @Test func everyRequestOfTheClientTakesAToken() async throws {
        let clock = TestClock()
        let transport = FakeTransport { _ in json(podJSON("a", resourceVersion: "1")) }
        let client = try makeClient(transport, clock: clock, qps: 1, burst: 2)
        for _ in 0..<4 { _ = try await client.get(CoreV1.Pod.self, name: "a") }
        #expect(transport.requests.count == 4)
        #expect(clock.sleeps.count == 2)
    }
}

import KubeAPI
