import Foundation

/// The time source of the bootstrap flow and of certificate rotation, injectable so tests do
/// not wait: the current time, and a sleep until a given time.
public protocol BootstrapClock: Sendable {
    /// The current time.
    var now: Date { get }
    /// Returns at `deadline` (at once if it has passed).
    ///
    /// - Throws: `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's wall clock.
public struct SystemBootstrapClock: BootstrapClock {
    /// The system clock.
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
    }
}
