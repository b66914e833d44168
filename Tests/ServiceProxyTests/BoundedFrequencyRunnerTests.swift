import Synchronization
import Testing
@testable import ServiceProxy

/// Records when the runner's action ran.
final class RunLog: Sendable {
    private let times = Mutex<[ContinuousClock.Instant]>([])
    private let failuresLeft: Mutex<Int>
    init(failures: Int = 0) { failuresLeft = Mutex(failures) }
    func record() -> Bool {
        times.withLock { $0.append(ContinuousClock.now) }
        return failuresLeft.withLock { left in
            guard left > 0 else { return true }
            left -= 1
            return false
        }
    }
    var count: Int { times.withLock { $0.count } }
    var gaps: [Duration] { times.withLock { t in zip(t.dropFirst(), t).map { $0 - $1 } } }
}

@Suite("Bounded-frequency runner", .serialized)
struct BoundedFrequencyRunnerTests {
    @Test func runsAtOnceThenNoMoreOftenThanTheMinimumIntervalAndMergesRequests() async throws {
        let log = RunLog()
        let runner = BoundedFrequencyRunner(minInterval: .milliseconds(200), maxInterval: .seconds(60), retryInterval: .seconds(60)) {
            log.record()
        }
        let task = Task { await runner.run() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(log.count == 1)
        for _ in 0..<5 { await runner.requestRun() }
        try await Task.sleep(for: .milliseconds(100))
        #expect(log.count == 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(log.count == 2)
        #expect(log.gaps.allSatisfy { $0 >= .milliseconds(200) })
        task.cancel()
        await task.value
    }

    @Test func runsPeriodicallyWithoutRequestsAndRetriesAfterAFailure() async throws {
        let log = RunLog(failures: 1)
        let runner = BoundedFrequencyRunner(minInterval: .milliseconds(10), maxInterval: .milliseconds(300), retryInterval: .milliseconds(80)) {
            log.record()
        }
        let task = Task { await runner.run() }
        try await Task.sleep(for: .milliseconds(150))
        #expect(log.count == 2)  // the first run failed; the retry came 80 ms later
        try await Task.sleep(for: .milliseconds(300))
        #expect(log.count == 3)  // then the periodic run
        task.cancel()
        await task.value
        #expect(log.gaps.first.map { $0 >= .milliseconds(80) && $0 < .milliseconds(150) } == true)
    }
}
