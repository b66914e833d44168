import Netlink

/// Runs `body` with network namespaces created for the test under `/run/netns` as
/// `swiftlet-t-<random>-<role>`, one per role, and deletes them afterwards whatever the outcome.
/// Nothing of the machine's own network is touched.
///
/// - Throws: ``UnmetRequirements`` without root; whatever creating a namespace or `body` throws.
public func withNamespaces<T>(_ roles: [String], _ body: ([NetworkNamespace]) async throws -> T) async throws -> T {
    guard Requirement.root.isMet else { throw UnmetRequirements(unmet: [.root]) }
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
