#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The service manager's watchdog settings, read the way `sd_watchdog_enabled(3)` reads them:
/// `$WATCHDOG_USEC` is the timeout, and `$WATCHDOG_PID`, when set, must name this process.
public struct SystemdWatchdog: Sendable, Equatable {
    /// The watchdog timeout the service manager enforces.
    public let timeout: Duration

    /// How often to send `WATCHDOG=1`: half the timeout, as systemd recommends.
    public var pingInterval: Duration { timeout / 2 }

    /// Creates settings for a known timeout.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Reads `$WATCHDOG_USEC` and `$WATCHDOG_PID`; `nil` when the watchdog is off, malformed, or
    /// meant for another process.
    public init?(environment: [String: String], processID: Int32 = getpid()) {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0,
            microseconds <= UInt64(Int64.max)
        else {
            return nil
        }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let pid = Int32(pidText), pid == processID else {
                return nil
            }
        }
        self.init(timeout: .microseconds(Int64(microseconds)))
    }
}
