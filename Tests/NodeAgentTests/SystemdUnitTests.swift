import Foundation
import TestSupport
import Testing

/// `systemd/swiftlet.service` as laid out on a node by `scripts/install`, checked by
/// `systemd-analyze verify` against that node root.
@Suite(.serialized, .requires(.command("systemd-analyze"), .path("/lib/systemd/system")))
struct SystemdUnitTests {
    /// A node root made by the install script, plus the host's own system units (targets such
    /// as `multi-user.target` that the unit refers to).
    private func installedRoot() async throws -> TemporaryDirectory {
        let root = try TemporaryDirectory()
        let install = try await runToCompletion(
            Repository.root + "/scripts/install", ["--binary", try Repository.swiftletBinary(), "--destdir", root.path])
        #expect(install.status == 0, "install: \(install.error)")
        try FileManager.default.createDirectory(atPath: root.path + "/usr/lib/systemd", withIntermediateDirectories: true)
        let copy = try await runToCompletion("/bin/cp", ["-a", "/lib/systemd/system", root.path + "/usr/lib/systemd/system"])
        #expect(copy.status == 0, "cp: \(copy.error)")
        return root
    }

    /// Runs `systemd-analyze verify`; a unit passes only with exit status 0 and no complaint at
    /// all, since verify reports unknown keys and bad values as warnings with status 0.
    private func verify(root: String, unit: String) async throws -> (passed: Bool, output: String) {
        let result = try await runToCompletion(Requirement.executablePath(named: "systemd-analyze") ?? "systemd-analyze", ["verify", "--root=\(root)", unit])
        let output = (result.output + result.error).trimmingCharacters(in: .whitespacesAndNewlines)
        return (result.status == 0 && output.isEmpty, output)
    }

    @Test func installedUnitPassesSystemdAnalyzeVerify() async throws {
        let root = try await installedRoot()
        let result = try await verify(root: root.path, unit: "/etc/systemd/system/swiftlet.service")
        #expect(result.passed, "systemd-analyze verify: \(result.output)")
    }

    @Test func verifyFailsWhenTheBinaryIsMissing() async throws {
        let root = try await installedRoot()
        try FileManager.default.removeItem(atPath: root.path + "/usr/local/bin/swiftlet")
        let result = try await verify(root: root.path, unit: "/etc/systemd/system/swiftlet.service")
        #expect(!result.passed)
        #expect(result.output.contains("/usr/local/bin/swiftlet"))
    }

    @Test func verifyFailsForAMisspelledDirective() async throws {
        let root = try await installedRoot()
        let unit = try String(contentsOfFile: Repository.root + "/systemd/swiftlet.service", encoding: .utf8)
        let broken = unit.replacingOccurrences(of: "KillMode=process", with: "KilMode=process")
        try broken.write(toFile: root.path + "/etc/systemd/system/broken.service", atomically: true, encoding: .utf8)
        let result = try await verify(root: root.path, unit: "/etc/systemd/system/broken.service")
        #expect(!result.passed)
        #expect(result.output.contains("KilMode"))
    }

    @Test func unitKeepsPodsAcrossRestartsAndTalksToSystemd() throws {
        let unit = try String(contentsOfFile: Repository.root + "/systemd/swiftlet.service", encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for directive in [
            "Type=notify", "KillMode=process", "Delegate=yes", "Restart=always", "TasksMax=infinity",
            "OOMScoreAdjust=-999", "ExecStart=/usr/local/bin/swiftlet run --config /etc/swiftlet/config.yaml",
        ] {
            #expect(lines.contains(directive), "missing \(directive)")
        }
        #expect(lines.contains { $0.hasPrefix("WatchdogSec=") })
        #expect(lines.contains { $0.hasPrefix("LimitNOFILE=") })
        #expect(lines.contains { $0.hasPrefix("TimeoutStopSec=") })
    }

    @Test func installLaysOutTheNodeAndKeepsAnExistingConfiguration() async throws {
        let root = try await installedRoot()
        let manager = FileManager.default
        #expect(manager.isExecutableFile(atPath: root.path + "/usr/local/bin/swiftlet"))
        #expect(manager.isExecutableFile(atPath: root.path + "/usr/local/bin/swiftlet-monitor"))
        let state = try manager.attributesOfItem(atPath: root.path + "/var/lib/swiftlet")
        #expect((state[.posixPermissions] as? Int) == 0o700)
        let config = root.path + "/etc/swiftlet/config.yaml"
        #expect(try String(contentsOfFile: config, encoding: .utf8)
            == String(contentsOfFile: Repository.root + "/Config/swiftlet.yaml", encoding: .utf8))

        try "# edited on the node\n".write(toFile: config, atomically: true, encoding: .utf8)
        let again = try await runToCompletion(
            Repository.root + "/scripts/install", ["--binary", try Repository.swiftletBinary(), "--destdir", root.path])
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "# edited on the node\n")
        #expect(manager.fileExists(atPath: config + ".default"))
    }
}
