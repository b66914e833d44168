import Foundation
import Netlink
import Testing

/// Links a "node" namespace to an "upstream" one with a veth pair (`up0` on the node, `eth0`
/// upstream) and gives both ends an address of one /24, so the upstream stands for a host outside
/// the node that has no route to the pods.
/// Further address pairs (IPv6) go on the same link, without duplicate address detection.
func connectUpstream(node: NetworkNamespace, upstream: NetworkNamespace, nodeAddress: IPNetwork, upstreamAddress: IPNetwork,
                     more: [(node: IPNetwork, upstream: IPNetwork)] = []) throws {
    let nodeSocket = try NetlinkSocket(in: node)
    let create = NetlinkBatch()
    try create.createVethPair(name: "up0", peerName: "eth0", peerNamespace: upstream)
    try nodeSocket.execute(create)
    let nodeLink = try #require(try nodeSocket.link(named: "up0"))
    let nodeSide = NetlinkBatch()
    try nodeSide.setLink(name: "lo", .init(up: true))
    try nodeSide.addAddress(nodeAddress, interfaceIndex: nodeLink.index)
    for pair in more { try nodeSide.addAddress(pair.node, interfaceIndex: nodeLink.index, skipDAD: true) }
    try nodeSocket.execute(nodeSide)
    let upstreamSocket = try NetlinkSocket(in: upstream)
    let link = try #require(try upstreamSocket.link(named: "eth0"))
    let upstreamSide = NetlinkBatch()
    try upstreamSide.setLink(index: link.index, .init(up: true))
    try upstreamSide.setLink(name: "lo", .init(up: true))
    try upstreamSide.addAddress(upstreamAddress, interfaceIndex: link.index)
    for pair in more { try upstreamSide.addAddress(pair.upstream, interfaceIndex: link.index, skipDAD: true) }
    try upstreamSocket.execute(upstreamSide)
}

/// `nft -j list ruleset` inside a namespace, as Debian's nft (the independent reader) sees it.
enum NftListing {
    static let nftPath = "/usr/sbin/nft"
    static let ipPath = "/usr/sbin/ip"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `nft arguments` inside `namespace` and returns what it printed.
    @discardableResult
    static func run(_ arguments: [String], in namespace: NetworkNamespace) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipPath)
        let name = String(namespace.path.split(separator: "/").last ?? "")
        process.arguments = ["netns", "exec", name, nftPath] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "nft \(arguments.joined(separator: " ")) in \(namespace.path) exited \(process.terminationStatus): \(errorText)")
        }
        return data
    }

    /// The objects of the listing (`{"table": ...}`, `{"set": ...}`, `{"map": ...}`, ...).
    static func objects(in namespace: NetworkNamespace) throws -> [[String: Any]] {
        let root = try JSONSerialization.jsonObject(with: run(["-j", "list", "ruleset"], in: namespace)) as? [String: Any]
        return root?["nftables"] as? [[String: Any]] ?? []
    }

    /// The elements of every set and map of `table`, by set name.
    static func elements(ofTable table: String, in namespace: NetworkNamespace) throws -> [String: [Any]] {
        var result: [String: [Any]] = [:]
        for object in try objects(in: namespace) {
            guard let body = (object["set"] ?? object["map"]) as? [String: Any], body["table"] as? String == table,
                  let name = body["name"] as? String else { continue }
            result[name] = body["elem"] as? [Any] ?? []
        }
        return result
    }

    /// How many rules `table` has.
    static func ruleCount(ofTable table: String, in namespace: NetworkNamespace) throws -> Int {
        try objects(in: namespace).filter { ($0["rule"] as? [String: Any])?["table"] as? String == table }.count
    }
}

/// Directories under /tmp named `prefix-XXXXXX`, each removed with everything in it when the
/// owner goes away (a test suite instance lives exactly as long as its test).
final class TemporaryDirectories {
    let prefix: String
    private var paths: [String] = []

    init(prefix: String) {
        self.prefix = prefix
    }

    /// A new empty directory.
    func make() throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw NftListing.Failure(description: "mkdtemp /tmp/\(prefix)-XXXXXX: errno \(errno)") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        paths.append(path)
        return path
    }

    deinit {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A directory under /tmp named `prefix-XXXXXX`, removed with everything in it when `body`
/// returns or throws.
func withTemporaryDirectory<T>(_ prefix: String, _ body: (String) async throws -> T) async throws -> T {
    let directories = TemporaryDirectories(prefix: prefix)
    defer { withExtendedLifetime(directories) {} }
    return try await body(directories.make())
}
