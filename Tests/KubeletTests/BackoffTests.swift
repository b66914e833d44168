import Testing

@testable import Kubelet

@Suite("Crash-loop and image back-off")
struct BackoffTests {
    @Test func delaysDoubleFromTenSecondsToFiveMinutes() {
        let clock = ManualKubeletClock(nanoseconds: 1_000_000_000_000)
        let backoff = Backoff(clock: clock)
        var delays: [Duration] = []
        for _ in 0..<8 {
            backoff.next("c", eventTime: clock.nowNanoseconds())
            delays.append(backoff.delay(of: "c")!)
            clock.advance(by: .seconds(1))
        }
        #expect(delays == [10, 20, 40, 80, 160, 300, 300, 300].map { Duration.seconds($0) })
    }

    @Test func keyIsInBackoffUntilTheDelayHasPassedSinceTheEvent() {
        let clock = ManualKubeletClock(nanoseconds: 1_000_000_000_000)
        let backoff = Backoff(clock: clock)
        let finished = clock.nowNanoseconds()
        #expect(!backoff.isInBackoff("c", since: finished))
        backoff.next("c", eventTime: finished)
        clock.advance(by: .seconds(9))
        #expect(backoff.isInBackoff("c", since: finished))
        #expect(backoff.remaining("c", since: finished) == .seconds(1))
        clock.advance(by: .seconds(1))
        #expect(!backoff.isInBackoff("c", since: finished))
    }

    @Test func entryUntouchedForTenMinutesStartsOverAtTenSeconds() {
        let clock = ManualKubeletClock(nanoseconds: 1_000_000_000_000)
        let backoff = Backoff(clock: clock)
        for _ in 0..<4 { backoff.next("c", eventTime: clock.nowNanoseconds()) }
        #expect(backoff.delay(of: "c") == .seconds(80))
        clock.advance(by: .seconds(601))
        #expect(!backoff.isInBackoff("c", since: clock.nowNanoseconds()))
        backoff.next("c", eventTime: clock.nowNanoseconds())
        #expect(backoff.delay(of: "c") == .seconds(10))
    }

    @Test func forgettingAPodDropsOnlyItsKeys() {
        let clock = ManualKubeletClock()
        let backoff = Backoff(clock: clock)
        backoff.next("uid1_web_default_app_1", eventTime: clock.nowNanoseconds())
        backoff.next("uid2_db_default_app_1", eventTime: clock.nowNanoseconds())
        backoff.forget(prefix: "uid1_")
        #expect(backoff.delay(of: "uid1_web_default_app_1") == nil)
        #expect(backoff.delay(of: "uid2_db_default_app_1") == .seconds(10))
    }
}
