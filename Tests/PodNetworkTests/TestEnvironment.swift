import Glibc
import Netlink

/// Conditions a test needs from the machine. Under CI (`CI=true`) a test whose condition does not
/// hold still runs and fails with the reason, instead of being skipped.
enum TestEnvironment {
    struct Unmet: Error, CustomStringConvertible {
        let description: String
    }

    /// `CI=true` in the environment.
    static var isCI: Bool { getenv("CI").map { String(cString: $0) } == "true" }

    /// Root can create network namespaces, links and mounts.
    static var hasRoot: Bool { geteuid() == 0 }

    /// For `.enabled(if:)`: `true` when the condition holds, and always under CI.
    static func runs(when condition: Bool) -> Bool { condition || isCI }

    /// Throws a readable failure when the condition does not hold.
    static func require(_ condition: Bool, _ what: String) throws {
        if !condition { throw Unmet(description: "test needs \(what), which this machine does not provide") }
    }
}

/// Network namespaces a test creates under /run/netns as `swiftlet-t-<random>-<role>`, deleted by
/// `withNamespaces` afterwards whatever the outcome.
func withNamespaces<T>(_ roles: [String], _ body: ([NetworkNamespace]) async throws -> T) async throws -> T {
    try TestEnvironment.require(TestEnvironment.hasRoot, "root (to create network namespaces)")
    let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    var created: [NetworkNamespace] = []
    defer {
        for namespace in created { try? NetworkNamespace.delete(path: namespace.path) }
    }
    for role in roles {
        created.append(try NetworkNamespace.create(named: "swiftlet-t-\(tag)-\(role)", in: "/run/netns"))
    }
    return try await body(created)
}
