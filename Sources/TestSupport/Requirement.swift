// TestSupport: what swiftlet's test targets share — the conditions a test needs (root, a command, a
// kernel feature) as Swift Testing traits. Never linked into the shipped binary.
//
// A test that cannot run here is skipped on a developer's machine and FAILS under `CI=true`: in CI
// nothing is silently skipped.

import Foundation
import Testing

/// Something a test needs from the machine it runs on.
public enum Requirement: Sendable, CustomStringConvertible {
    /// The effective user is root.
    case root
    /// An executable of this name is on `PATH` (or this absolute path is executable).
    case command(String)
    /// A file or directory exists, e.g. `/sys/fs/cgroup/memory` or `/proc/self/ns/net`.
    case path(String)

    /// Whether the machine meets the requirement now.
    public var isMet: Bool {
        switch self {
        case .root:
            return geteuid() == 0
        case .command(let name):
            return Self.executablePath(named: name) != nil
        case .path(let path):
            return FileManager.default.fileExists(atPath: path)
        }
    }

    public var description: String {
        switch self {
        case .root: "root"
        case .command(let name): "the command \(name)"
        case .path(let path): "the path \(path)"
        }
    }

    /// The absolute path of an executable found on `PATH`, or `nil`.
    public static func executablePath(named name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        let directories = searchPath.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Throws ``UnmetRequirements`` when the machine does not meet the requirement: for checks
    /// inside a test or fixture, where a trait cannot be placed.
    public func verify() throws {
        if !isMet { throw UnmetRequirements(unmet: [self]) }
    }

    /// Throws ``UnmetRequirements`` naming `requirement` when it is not met.
    public static func verify(_ requirement: Requirement) throws {
        try requirement.verify()
    }

    /// `true` when the environment variable `CI` is `true` (or `1`).
    public static var isCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return value == "true" || value == "1"
    }
}

/// The error recorded, under `CI=true`, for a test whose requirements are not met.
public struct UnmetRequirements: Error, CustomStringConvertible {
    public let unmet: [Requirement]
    public var description: String {
        "this test needs \(unmet.map(\.description).joined(separator: ", ")), which this machine lacks; "
            + "under CI=true that is a failure, not a skip (run scripts/setup --test as root)"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where every requirement is met: skipped otherwise on a developer's machine,
    /// failed otherwise under `CI=true`.
    public static func requires(_ requirements: Requirement...) -> Self {
        let comment = Comment(rawValue: "needs " + requirements.map(\.description).joined(separator: ", "))
        return .enabled(comment) {
            let unmet = requirements.filter { !$0.isMet }
            if unmet.isEmpty { return true }
            if Requirement.isCI { throw UnmetRequirements(unmet: unmet) }
            return false
        }
    }
}
