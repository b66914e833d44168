import Synchronization

/// A thread-safe increasing counter, for unique names in tests.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// The next value, starting at 1.
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
