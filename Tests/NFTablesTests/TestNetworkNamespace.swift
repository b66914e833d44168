// Test support: a network namespace the test creates (and removes, even when the test fails),
// and `nft -j list ruleset` inside it as the independent reader of what was programmed.

import Foundation
import NFTables
import TestSupport
import Testing

/// Where the kernel tests find Debian's `nft` and `ip`.
enum KernelTestEnvironment {
    static let nftPath = "/usr/sbin/nft"
    static let ipPath = "/usr/sbin/ip"
}

/// A failure of a command a test ran.
struct CommandFailure: Error, CustomStringConvertible {
    var command: [String]
    var status: Int32
    var output: String
    var description: String { "\(command.joined(separator: " ")) exited \(status): \(output)" }
}

/// Runs a command; returns its standard output, or throws with its standard error.
@discardableResult
func runCommand(_ arguments: [String], input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try inputPipe.fileHandleForWriting.close()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CommandFailure(command: arguments, status: process.terminationStatus,
                             output: String(decoding: errorData, as: UTF8.self))
    }
    return String(decoding: data, as: UTF8.self)
}

/// A network namespace `swiftlet-nft-<random>` for one test, deleted when the value goes away.
final class TestNetworkNamespace {
    let name: String
    var path: String { "/run/netns/\(name)" }

    init() throws {
        for requirement in [Requirement.root, .command(KernelTestEnvironment.ipPath), .command(KernelTestEnvironment.nftPath)] {
            try requirement.verify()
        }
        name = "swiftlet-nft-\(UInt32.random(in: 0...UInt32.max))"
        try runCommand([KernelTestEnvironment.ipPath, "netns", "add", name])
    }

    deinit {
        _ = try? runCommand([KernelTestEnvironment.ipPath, "netns", "delete", name])
    }

    /// A connection to nf_tables inside this namespace.
    func connect() throws -> NetfilterConnection {
        try NetfilterConnection(networkNamespace: path)
    }

    /// Runs `nft` inside this namespace.
    @discardableResult
    func nft(_ arguments: [String], input: String? = nil) throws -> String {
        try runCommand([KernelTestEnvironment.ipPath, "netns", "exec", name, KernelTestEnvironment.nftPath] + arguments, input: input)
    }

    /// `nft -j list ruleset`, as the list of objects under `nftables` (metainfo dropped).
    func listRulesetJSON() throws -> [[String: Any]] {
        let text = try nft(["-j", "list", "ruleset"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let objects = try #require(root["nftables"] as? [[String: Any]])
        return objects.filter { $0["metainfo"] == nil }
    }
}

/// JSON helpers for comparing what nft printed with what a test meant.
enum NftJSON {
    /// A canonical text of a JSON value (sorted keys), for equality checks with readable failures.
    static func canonical(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The objects of `kind` (`chain`, `rule`, `set`, `map`) in nft's output.
    static func objects(_ kind: String, in ruleset: [[String: Any]]) -> [[String: Any]] {
        ruleset.compactMap { $0[kind] as? [String: Any] }
    }

    /// The expression lists of the rules of one chain, in order, as canonical text.
    static func ruleExpressions(chain: String, in ruleset: [[String: Any]]) -> [String] {
        objects("rule", in: ruleset).filter { ($0["chain"] as? String) == chain }.map { canonical($0["expr"] ?? []) }
    }
}
