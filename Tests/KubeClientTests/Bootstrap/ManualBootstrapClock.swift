import Foundation
import KubeClient
import Synchronization

/// A clock that only moves when slept on: `sleep(until:)` jumps to the deadline at once, so
/// timeouts and rotation deadlines are reached without waiting.
final class ManualBootstrapClock: BootstrapClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
    }

    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
