import Foundation
import Glibc
import Netlink
@testable import PodNetwork
import Testing

/// The lease journal: what one agent wrote, the next one loads.
final class HostLocalIPAMTests {
    private let directories = TemporaryDirectories(prefix: "swiftlet-net")

    func journalLines(_ directory: String) throws -> [String] {
        try readFile(directory + "/leases.journal").split(separator: "\n").map(String.init)
    }

    @Test func leasesSurviveAReloadAndReleasedOnesDoNot() throws {
        let directory = try directories.make()
        var first = HostLocalIPAM(directory: directory, cidrs: [IPNetwork("10.60.0.0/24")!, IPNetwork("fd00:60::/64")!])
        try first.load()
        let a = try first.allocate(sandboxID: "a", interfaceName: "eth0", podReference: "default/a")
        let b = try first.allocate(sandboxID: "b", interfaceName: "eth0", podReference: "default/b")
        #expect(a == [IPAddress("10.60.0.2")!, IPAddress("fd00:60::2")!])
        #expect(b == [IPAddress("10.60.0.3")!, IPAddress("fd00:60::3")!])
        first.release(sandboxID: "a")

        var second = HostLocalIPAM(directory: directory, cidrs: [IPNetwork("10.60.0.0/24")!, IPNetwork("fd00:60::/64")!])
        try second.load()
        #expect(second.addresses(of: "b") == b)
        #expect(second.addresses(of: "a").isEmpty)
        #expect(second.leases[IPAddress("10.60.0.3")!]?.podReference == "default/b")
        // Loading rewrote the journal with the live leases only.
        #expect(try journalLines(directory).count == 2)
        // Allocation continues after the last address handed out, not in a freed one.
        #expect(try second.allocate(sandboxID: "c", interfaceName: "eth0", podReference: "")[0] == IPAddress("10.60.0.4"))
    }

    @Test func fieldsWithSpacesAndPercentSignsReadBackUnchanged() throws {
        let directory = try directories.make()
        var first = HostLocalIPAM(directory: directory, cidrs: [IPNetwork("10.61.0.0/24")!])
        try first.load()
        _ = try first.allocate(sandboxID: "id with space", interfaceName: "eth0", podReference: "ns/pod 100%\tx")
        let leases = try HostLocalIPAM.replay(readFile(directory + "/leases.journal"))
        let lease = try #require(leases[IPAddress("10.61.0.2")!])
        #expect(lease.sandboxID == "id with space" && lease.podReference == "ns/pod 100%\tx")
    }

    @Test func aTornLastRecordIsIgnoredAtLoad() throws {
        let directory = try directories.make()
        var first = HostLocalIPAM(directory: directory, cidrs: [IPNetwork("10.62.0.0/24")!])
        try first.load()
        _ = try first.allocate(sandboxID: "kept", interfaceName: "eth0", podReference: "")
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/leases.journal"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("+ 10.62.0.".utf8))
        try handle.close()
        var second = HostLocalIPAM(directory: directory, cidrs: [IPNetwork("10.62.0.0/24")!])
        try second.load()
        #expect(second.leases.values.map(\.sandboxID) == ["kept"])
    }

    @Test func journalOutsideTheRangesKeepsNoLease() throws {
        let directory = try directories.make()
        var first = HostLocalIPAM(directory: directory, cidrs: [IPNetwork("10.63.0.0/24")!])
        try first.load()
        _ = try first.allocate(sandboxID: "old", interfaceName: "eth0", podReference: "")
        var moved = HostLocalIPAM(directory: directory, cidrs: [IPNetwork("10.64.0.0/24")!])
        try moved.load()
        #expect(moved.leases.isEmpty)
    }
}
