// The conditions ImagesTests need (root, a command) as a Swift Testing trait: skipped on a
// developer's machine when unmet, FAILED under CI=true. Same shape as the project's TestSupport
// `Requirement`, so the lead can replace this file with that target when merging.

import Foundation
import Testing

/// Something a test needs from the machine.
enum TestRequirement: Sendable, CustomStringConvertible {
    case root
    case command(String)

    var isMet: Bool {
        switch self {
        case .root: geteuid() == 0
        case .command(let name): Self.executablePath(named: name) != nil
        }
    }

    var description: String {
        switch self {
        case .root: "root"
        case .command(let name): "the command \(name)"
        }
    }

    static func executablePath(named name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin"] {
            if FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") { return "\(directory)/\(name)" }
        }
        return nil
    }

    static var isCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return value == "true" || value == "1"
    }
}

struct UnmetTestRequirements: Error, CustomStringConvertible {
    let unmet: [TestRequirement]
    var description: String {
        "this test needs \(unmet.map(\.description).joined(separator: ", ")), which this machine lacks; under CI=true that is a failure, not a skip"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where every requirement is met: skipped otherwise, failed under `CI=true`.
    static func needs(_ requirements: TestRequirement...) -> Self {
        .enabled(Comment(rawValue: "needs " + requirements.map(\.description).joined(separator: ", "))) {
            let unmet = requirements.filter { !$0.isMet }
            if unmet.isEmpty { return true }
            if TestRequirement.isCI { throw UnmetTestRequirements(unmet: unmet) }
            return false
        }
    }
}
