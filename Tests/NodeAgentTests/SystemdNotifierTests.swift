import Foundation
import Testing

@testable import NodeAgent

@Suite struct SystemdNotifierTests {
    @Test func notifyDeliversOneDatagramToAFilesystemSocket() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.file("notify.sock"))
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address]))
        try notifier.notify("READY=1")
        #expect(receiver.receive(timeout: .seconds(2)) == "READY=1")
    }

    @Test func notifyDeliversToAnAbstractSocketNamedWithAtSign() throws {
        let name = "swiftlet-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let receiver = try DatagramReceiver(abstractName: name)
        let notifier = SystemdNotifier(socketPath: "@" + name)
        try notifier.notify("STOPPING=1")
        #expect(receiver.receive(timeout: .seconds(2)) == "STOPPING=1")
    }

    @Test func noNotifySocketMeansNoNotifier() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
    }

    @Test func aRelativeSocketAddressIsRejected() {
        #expect(throws: SystemdNotifierError.unsupportedAddress("relative.sock")) {
            try SystemdNotifier(socketPath: "relative.sock").notify("READY=1")
        }
    }

    @Test func aSocketNobodyListensOnFailsWithTheCallName() {
        #expect {
            try SystemdNotifier(socketPath: "/nonexistent/notify.sock").notify("READY=1")
        } throws: { error in
            guard case .system(let systemError) = error as? SystemdNotifierError else { return false }
            return systemError.call == "sendto"
        }
    }

    @Test func watchdogPingsAtHalfTheTimeout() throws {
        let watchdog = try #require(SystemdWatchdog(environment: ["WATCHDOG_USEC": "2000000"], processID: 42))
        #expect(watchdog.timeout == .seconds(2))
        #expect(watchdog.pingInterval == .seconds(1))
    }

    @Test func watchdogForAnotherProcessIsIgnored() {
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "41"], processID: 42) == nil)
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "42"], processID: 42) != nil)
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "0"], processID: 42) == nil)
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "soon"], processID: 42) == nil)
        #expect(SystemdWatchdog(environment: [:], processID: 42) == nil)
    }
}
