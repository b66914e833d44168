import Logging
import ServiceLifecycle

/// The last service of the agent's group: tells systemd `READY=1` once every service before it
/// has started, pings `WATCHDOG=1` at half the watchdog timeout while the agent runs, and sends
/// `STOPPING=1` as soon as graceful shutdown begins (the group shuts services down in reverse
/// order, so this one hears it first).
public struct SystemdNotifyService: Service {
    let notifier: SystemdNotifier
    let watchdog: SystemdWatchdog?
    let logger: Logger

    /// Creates the service; `watchdog` is `nil` when systemd runs no watchdog for us.
    public init(notifier: SystemdNotifier, watchdog: SystemdWatchdog?, logger: Logger) {
        self.notifier = notifier
        self.watchdog = watchdog
        self.logger = logger
    }

    public func run() async throws {
        send("READY=1\nSTATUS=running")
        if let watchdog {
            logger.info(
                "systemd watchdog enabled",
                metadata: ["interval": "\(watchdog.pingInterval)", "timeout": "\(watchdog.timeout)"])
            do {
                try await cancelWhenGracefulShutdown { [self] in
                    while true {
                        try await Task.sleep(for: watchdog.pingInterval)
                        send("WATCHDOG=1")
                    }
                }
            } catch is CancellationError {
                // Graceful shutdown (or group cancellation) ended the ping loop.
            }
        } else {
            try? await gracefulShutdown()
        }
        send("STOPPING=1\nSTATUS=stopping")
    }

    private func send(_ state: String) {
        do {
            try notifier.notify(state)
            logger.debug("sd_notify sent", metadata: ["state": "\(state.split(separator: "\n").first ?? "")"])
        } catch {
            logger.warning("sd_notify failed", metadata: ["error": "\(error)"])
        }
    }
}
