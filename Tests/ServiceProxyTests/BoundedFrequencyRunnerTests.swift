import Synchronization
import Testing
@testable import ServiceProxy

/// Records at which clock time the runner's action ran.
final class RunLog: Sendable {
    private let times = Mutex<[Duration]>([])
    private let failuresLeft: Mutex<Int>
    let clock: ManualClock

    init(clock: ManualClock, failures: Int = 0) {
        self.clock = clock
        failuresLeft = Mutex(failures)
    }

    func record() -> Bool {
        let now = clock.now.offset
        times.withLock { $0.append(now) }
        return failuresLeft.withLock { left in
            guard left > 0 else { return true }
            left -= 1
            return false
        }
    }

    var count: Int { times.withLock { $0.count } }
    var runTimes: [Duration] { times.withLock { $0 } }
}

/// Waits (polling real time, up to `limit`) until `condition` holds: the runner's actor hops
/// take a moment even when its clock is moved by hand.
func eventually(_ limit: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
}

@Suite("Bounded-frequency runner")
struct BoundedFrequencyRunnerTests {
    func makeRunner(_ log: RunLog, min: Duration, max: Duration, retry: Duration) -> BoundedFrequencyRunner<ManualClock> {
        BoundedFrequencyRunner(minInterval: min, maxInterval: max, retryInterval: retry, clock: log.clock) { log.record() }
    }

    @Test func runsAtOnceThenNoMoreOftenThanTheMinimumIntervalAndMergesRequests() async throws {
        let log = RunLog(clock: ManualClock())
        let runner = makeRunner(log, min: .seconds(1), max: .seconds(3600), retry: .seconds(30))
        let task = Task { await runner.run() }
        try await eventually { log.count == 1 && log.clock.sleeperCount == 1 }
        #expect(log.runTimes == [.zero])

        for _ in 0..<5 { await runner.requestRun() }
        try await eventually { log.clock.sleeperCount == 1 }
        log.clock.advance(by: .milliseconds(999))
        try await Task.sleep(for: .milliseconds(50))
        #expect(log.count == 1)
        log.clock.advance(by: .milliseconds(1))
        try await eventually { log.count == 2 }
        #expect(log.runTimes == [.zero, .seconds(1)])
        // Five requests made one run.
        try await eventually { log.clock.sleeperCount == 1 }
        log.clock.advance(by: .seconds(10))
        try await Task.sleep(for: .milliseconds(50))
        #expect(log.count == 2)
        task.cancel()
        await task.value
    }

    @Test func retriesAfterAFailureAndRunsPeriodicallyWithoutRequests() async throws {
        let log = RunLog(clock: ManualClock(), failures: 1)
        let runner = makeRunner(log, min: .seconds(1), max: .seconds(60), retry: .seconds(5))
        let task = Task { await runner.run() }
        try await eventually { log.count == 1 && log.clock.sleeperCount == 1 }
        log.clock.advance(by: .seconds(5))
        try await eventually { log.count == 2 && log.clock.sleeperCount == 1 }
        log.clock.advance(by: .seconds(59))
        try await Task.sleep(for: .milliseconds(50))
        #expect(log.count == 2)
        log.clock.advance(by: .seconds(1))
        try await eventually { log.count == 3 }
        #expect(log.runTimes == [.zero, .seconds(5), .seconds(65)])
        task.cancel()
        await task.value
    }

    @Test func cancellingTheTaskEndsTheRunner() async throws {
        let log = RunLog(clock: ManualClock())
        let runner = makeRunner(log, min: .seconds(1), max: .seconds(60), retry: .seconds(5))
        let task = Task { await runner.run() }
        try await eventually { log.count == 1 && log.clock.sleeperCount == 1 }
        task.cancel()
        await task.value
        await runner.requestRun()
        log.clock.advance(by: .seconds(120))
        try await Task.sleep(for: .milliseconds(50))
        #expect(log.count == 1)
    }
}
