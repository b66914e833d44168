import KubeAPI
import Synchronization
import Testing

@testable import Kubelet

/// Issues numbered tokens valid for the requested time from the clock's now; records requests.
final class FakeTokenRequester: ServiceAccountTokenRequester {
    let clock: ManualKubeletClock
    private let requests = Mutex<[ServiceAccountTokenRequest]>([])
    private let failing = Mutex(false)

    init(clock: ManualKubeletClock) { self.clock = clock }

    var received: [ServiceAccountTokenRequest] { requests.withLock { $0 } }
    func fail(_ yes: Bool) { failing.withLock { $0 = yes } }

    struct Refused: Error {}

    func requestToken(_ request: ServiceAccountTokenRequest) async throws -> IssuedServiceAccountToken {
        if failing.withLock({ $0 }) { throw Refused() }
        let count = requests.withLock { $0.append(request); return $0.count }
        let now = clock.nowNanoseconds() / 1_000_000_000
        return IssuedServiceAccountToken(token: "token-\(count)", expirationSeconds: now + request.expirationSeconds)
    }
}

@Suite("Service-account tokens")
struct ServiceAccountTokenManagerTests {
    static let start: Int64 = 1_700_000_000 * 1_000_000_000

    static func projectedPod() throws -> CoreV1.Pod {
        try apiPod(
            "web", uid: "uid-web",
            extra: """
                serviceAccountName: builder
                  volumes:
                  - name: token
                    projected:
                      sources:
                      - serviceAccountToken: {path: token, audience: vault}
                """)
    }

    /// A manual clock, a requester on it, a manager and the projected pod's request.
    static func setUp() throws -> (ManualKubeletClock, FakeTokenRequester, ServiceAccountTokenManager, ServiceAccountTokenRequest) {
        let clock = ManualKubeletClock(nanoseconds: start)
        let requester = FakeTokenRequester(clock: clock)
        let pod = try projectedPod()
        let projection = try #require(pod.spec?.volumes?.first?.projected?.sources?.first?.serviceAccountToken)
        return (clock, requester, ServiceAccountTokenManager(requester: requester, clock: clock), ServiceAccountTokenManager.request(for: projection, pod: pod))
    }

    @Test func requestNamesAudienceDefaultExpiryServiceAccountAndTheBoundPod() throws {
        let pod = try Self.projectedPod()
        let projection = try #require(pod.spec?.volumes?.first?.projected?.sources?.first?.serviceAccountToken)
        let request = ServiceAccountTokenManager.request(for: projection, pod: pod)
        #expect(request == ServiceAccountTokenRequest(
            namespace: "default", serviceAccount: "builder", audiences: ["vault"], expirationSeconds: 3600, podName: "web", podUID: "uid-web"))
    }

    @Test func tokenIsCachedAndRefreshedAtEightyPercentOfItsLifetime() async throws {
        let (clock, requester, manager, request) = try Self.setUp()

        #expect(try await manager.token(for: request) == "token-1")
        clock.advance(by: .seconds(2879))
        #expect(try await manager.token(for: request) == "token-1", "79.97 % of 3600 s: cached")
        clock.advance(by: .seconds(1))
        #expect(try await manager.token(for: request) == "token-2", "80 %: refreshed")
        #expect(requester.received.count == 2)
    }

    @Test func longLivedTokenIsRefreshedAfterTwentyFourHours() {
        let day: Int64 = 24 * 3600
        let token = IssuedServiceAccountToken(token: "t", expirationSeconds: 1000 + 7 * day)
        #expect(!ServiceAccountTokenManager.requiresRefresh(token, expirationSeconds: 7 * day, now: 1000 + day - 1))
        #expect(ServiceAccountTokenManager.requiresRefresh(token, expirationSeconds: 7 * day, now: 1000 + day))
    }

    @Test func failedRefreshKeepsTheStillValidTokenAndTokensOfGonePodsAreDropped() async throws {
        let (clock, requester, manager, request) = try Self.setUp()
        #expect(try await manager.token(for: request) == "token-1")
        clock.advance(by: .seconds(3000))
        requester.fail(true)
        #expect(try await manager.token(for: request) == "token-1")
        clock.advance(by: .seconds(600))
        await #expect(throws: FakeTokenRequester.Refused.self) { try await manager.token(for: request) }

        requester.fail(false)
        #expect(try await manager.token(for: request) == "token-2")
        await manager.retain(podUIDs: [])
        #expect(try await manager.token(for: request) == "token-3", "the pod's cache entry was dropped")
    }

    @Test func projectedTokenIsWrittenIntoThePodsVolume() async throws {
        let clock = ManualKubeletClock(nanoseconds: Self.start)
        let requester = FakeTokenRequester(clock: clock)
        let manager = ServiceAccountTokenManager(requester: requester, clock: clock)
        let pod = try Self.projectedPod()
        let lookup = APIObjectLookup(objects: StaticConfigObjects(), tokens: manager)
        let objects = await ReferencedObjects.fetch(for: pod, from: lookup)
        #expect(objects.serviceAccountTokens == ["token": "token-1"])

        let root = try makeTemporaryDirectory("tokens")
        defer { removeDirectory(root) }
        let volumes = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let result = volumes.setUp(pod: pod, objects: objects, fields: PodFieldValues(pod: pod, podIPs: []))
        #expect(result.isComplete, "\(result.failureMessage)")
        let path = volumes.volumeDirectory(uid: "uid-web", plugin: "projected", name: "token") + "/token"
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "token-1")
    }

    @Test func projectedTokenWithoutAnAPIServerIsReportedUnsupportedAndAFailedRequestGivesItsReason() async throws {
        let pod = try Self.projectedPod()
        let root = try makeTemporaryDirectory("tokens")
        defer { removeDirectory(root) }
        let volumes = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let standalone = await ReferencedObjects.fetch(for: pod, from: StaticConfigObjects())
        #expect(standalone.serviceAccountTokens.isEmpty)
        let unsupported = volumes.setUp(pod: pod, objects: standalone, fields: PodFieldValues(pod: pod, podIPs: []))
        #expect(unsupported.failureMessage == "volume \"token\": the projected serviceAccountToken volume type is not supported by swiftlet")

        let clock = ManualKubeletClock(nanoseconds: Self.start)
        let requester = FakeTokenRequester(clock: clock)
        requester.fail(true)
        let lookup = APIObjectLookup(objects: StaticConfigObjects(), tokens: ServiceAccountTokenManager(requester: requester, clock: clock))
        let refused = await ReferencedObjects.fetch(for: pod, from: lookup)
        let failed = volumes.setUp(pod: pod, objects: refused, fields: PodFieldValues(pod: pod, podIPs: []))
        #expect(failed.failureMessage.hasPrefix("volume \"token\": cannot get a service-account token: "))
    }
}
