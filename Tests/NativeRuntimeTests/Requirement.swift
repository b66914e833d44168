// What the kernel tests need from the machine, as a Swift Testing trait: skipped on a developer's
// machine without it, FAILED under CI=true (a local copy until the lead folds it into TestSupport).

import Foundation
import Testing

enum MachineRequirement: Sendable, CustomStringConvertible {
    case root
    case path(String)
    case command(String)

    var isMet: Bool {
        switch self {
        case .root: geteuid() == 0
        case .path(let path): FileManager.default.fileExists(atPath: path)
        case .command(let name):
            ["/usr/bin", "/bin", "/usr/sbin", "/sbin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }
    }

    var description: String {
        switch self {
        case .root: "root"
        case .path(let path): "the path \(path)"
        case .command(let name): "the command \(name)"
        }
    }

    static var isCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return value == "true" || value == "1"
    }
}

struct UnmetMachineRequirements: Error, CustomStringConvertible {
    let unmet: [MachineRequirement]
    var description: String {
        "this test needs \(unmet.map(\.description).joined(separator: ", ")); under CI=true that is a failure, not a skip"
    }
}

extension Trait where Self == ConditionTrait {
    static func needs(_ requirements: MachineRequirement...) -> Self {
        .enabled(Comment(rawValue: "needs " + requirements.map(\.description).joined(separator: ", "))) {
            let unmet = requirements.filter { !$0.isMet }
            if unmet.isEmpty { return true }
            if MachineRequirement.isCI { throw UnmetMachineRequirements(unmet: unmet) }
            return false
        }
    }

    /// Root, cgroup v1 memory and pids controllers, busybox-static and a C compiler (for the probe).
    static var kernelRuntime: Self {
        .needs(.root, .path("/sys/fs/cgroup/memory/memory.limit_in_bytes"), .path("/sys/fs/cgroup/pids"),
               .path("/usr/bin/busybox"), .command("cc"))
    }
}
