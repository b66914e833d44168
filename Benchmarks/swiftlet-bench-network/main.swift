// swiftlet-bench-network: how long the built-in pod network takes to attach and detach a pod,
// measured against the CNI reference plugins (`bridge` + `host-local` from
// containernetworking-plugins, Debian's /usr/lib/cni) in the same run, on the same kernel.
//
// pod_network_add: the pod's network namespace exists → the pod has its address and default
// route (ADD returned). pod_network_del: DEL called → DEL returned. Each side gets its own "node"
// namespace (bridge, IPAM state); pods are fresh namespaces made outside the timed region.
// Scenarios: one pod on an otherwise empty node (repeated), and 100 pods added in sequence then
// deleted in sequence. A pod namespace is handed over as the runtime hands it to the network
// (NativeRuntime brings loopback up before its SandboxNetwork.setUp): loopback up, unless
// `--loopback down` (then swiftlet's ADD also brings it up, which the reference bridge never does). Both sides do the same per-pod work: veth pair, address, default route,
// hairpin, gateway on the bridge; no port mappings, no per-pod masquerade (swiftlet's
// masquerade is per node, set at start; the peer runs with ipMasq off).
//
// Usage: swiftlet-bench-network [--iterations N] [--pods N] [--rounds N] [--cni-path DIR] [--side both|swiftlet|peer]
//                               [--loopback up|down] [--state-root DIR] [--output FILE]
// `--state-root` is where both sides keep their leases (a fresh directory below it; /tmp by
// default, /run to measure a tmpfs lease store).
// Needs root. Prints one line per metric: median, p99, peer median, peer p99, ratio (ours/peer)
// and its 95 % interval (paired bootstrap over the iterations), then the shared report table (BenchReport); `--output` writes it as JSON (`scripts/bench network`).

import BenchReport
import Foundation
import Glibc
import Netlink
import PodNetwork

struct Options {
    /// Single-pod iterations: at 200 the median moves by a few percent between runs on a quiet
    /// machine (the printed 95 % interval says how much in this run).
    var iterations = 200
    var pods = 100
    var rounds = 2
    var cniPath = "/usr/lib/cni"
    /// `both`, or only `swiftlet` / `peer` (for profiling one side; no ratio is printed).
    var side = "both"
    /// Whether pod namespaces get loopback up before the timed ADD, as the runtime does.
    var loopbackUp = true
    /// Where the report JSON goes (none: only printed).
    var output: String?
    /// The directory below which both sides' lease state goes.
    var stateRoot = "/tmp"

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--iterations": iterations = try Self.count(value, flag)
            case "--pods": pods = try Self.count(value, flag)
            case "--rounds": rounds = try Self.count(value, flag)
            case "--cni-path": cniPath = value
            case "--output": output = value
            case "--state-root": stateRoot = value
            case "--loopback":
                guard ["up", "down"].contains(value) else { throw BenchError("--loopback: expected up or down, got \(value)") }
                loopbackUp = value == "up"
            case "--side":
                guard ["both", "swiftlet", "peer"].contains(value) else { throw BenchError("--side: expected both, swiftlet or peer, got \(value)") }
                side = value
            default: throw BenchError("unknown option \(flag); expected --iterations, --pods, --rounds, --cni-path, --side, --loopback, --state-root or --output")
            }
        }
    }

    private static func count(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw BenchError("\(flag): expected a positive number, got \(text)") }
        return value
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}


/// The two sides under one interface.
protocol PodAttacher {
    var name: String { get }
    func add(sandboxID: String, namespace: NetworkNamespace) async throws
    func delete(sandboxID: String, namespace: NetworkNamespace) async throws
}

struct SwiftletAttacher: PodAttacher {
    let name = "swiftlet"
    let plugin: BridgeNetwork

    func add(sandboxID: String, namespace: NetworkNamespace) async throws {
        _ = try await plugin.add(PodNetworkRequest(sandboxID: sandboxID, namespacePath: namespace.path))
    }

    func delete(sandboxID: String, namespace: NetworkNamespace) async throws {
        try await plugin.delete(PodNetworkRequest(sandboxID: sandboxID, namespacePath: namespace.path))
    }
}

struct ReferenceAttacher: PodAttacher {
    let name = "bridge+host-local"
    let plugin: ReferencePlugin

    func add(sandboxID: String, namespace: NetworkNamespace) async throws {
        try plugin.run("ADD", sandboxID: sandboxID, namespacePath: namespace.path)
    }

    func delete(sandboxID: String, namespace: NetworkNamespace) async throws {
        try plugin.run("DEL", sandboxID: sandboxID, namespacePath: namespace.path)
    }
}

/// Pod namespaces for one measurement, deleted afterwards.
final class Namespaces {
    private(set) var all: [NetworkNamespace] = []
    let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    let loopbackUp: Bool

    init(loopbackUp: Bool) {
        self.loopbackUp = loopbackUp
    }

    func make(_ role: String) throws -> NetworkNamespace {
        let namespace = try NetworkNamespace.create(named: "swiftlet-bench-\(tag)-\(role)", in: "/run/netns")
        all.append(namespace)
        return namespace
    }

    /// A pod namespace as the runtime hands it to the network: loopback up unless told otherwise.
    func makePod(_ role: String) throws -> NetworkNamespace {
        let namespace = try make(role)
        if loopbackUp {
            let batch = NetlinkBatch(capacity: 256)
            try batch.setLink(name: "lo", .init(up: true))
            try NetlinkSocket(in: namespace).execute(batch)
        }
        return namespace
    }

    func remove(_ namespace: NetworkNamespace) {
        try? NetworkNamespace.delete(path: namespace.path)
        all.removeAll { $0 === namespace }
    }

    deinit {
        for namespace in all { try? NetworkNamespace.delete(path: namespace.path) }
    }
}

func run(_ options: Options) async throws {
    guard geteuid() == 0 else { throw BenchError("needs root (network namespaces, links, nftables)") }
    for binary in ["bridge", "host-local"] where access(options.cniPath + "/" + binary, X_OK) != 0 {
        throw BenchError("the reference plugin \(options.cniPath)/\(binary) is missing (Debian: containernetworking-plugins)")
    }
    let loadBefore = loadAverage()
    let namespaces = Namespaces(loopbackUp: options.loopbackUp)
    let state = try makeTemporaryDirectory(in: options.stateRoot)
    defer { removeTree(state) }

    let ourNode = try namespaces.make("node-swiftlet")
    let peerNode = try namespaces.make("node-peer")
    let firewall = try NFTablesPodNetworkFirewall(networkNamespace: ourNode.path)
    let configuration = BridgeNetworkConfiguration(bridgeName: "swbench0", podCIDRs: [IPNetwork("10.210.0.0/16")!],
                                                   stateDirectory: state + "/swiftlet", nodeNamespacePath: ourNode.path)
    let plugin = try BridgeNetwork(configuration: configuration, firewall: firewall)
    try await plugin.start(liveSandboxes: [])
    let ours = SwiftletAttacher(plugin: plugin)
    let peer = ReferenceAttacher(plugin: ReferencePlugin(cniPath: options.cniPath, nodeNamespace: peerNode,
                                                         dataDirectory: state + "/host-local", bridge: "cnibench0",
                                                         subnet: "10.211.0.0/16"))
    let sides: [any PodAttacher] = options.side == "swiftlet" ? [ours] : options.side == "peer" ? [peer] : [ours, peer]

    var add: [String: [String: Samples]] = [:]
    var del: [String: [String: Samples]] = [:]

    // Warm-up: page cache for the plugin binaries, the bridges, IPAM directories.
    for side in sides {
        for index in 0..<3 {
            let pod = try namespaces.makePod("warm-\(side.name.prefix(4))-\(index)")
            settle(milliseconds: 20)
            try await side.add(sandboxID: "warm-\(index)", namespace: pod)
            try await side.delete(sandboxID: "warm-\(index)", namespace: pod)
            namespaces.remove(pod)
        }
    }

    // One pod on an otherwise empty node, the two sides interleaved. Pod namespaces are made
    // before and removed after the timed loop, so namespace setup and teardown (which the kernel
    // finishes from workqueues) run in neither side's measurement.
    var singles: [String: [NetworkNamespace]] = [:]
    for side in sides {
        singles[side.name] = try (0..<options.iterations).map { try namespaces.makePod("one-\(side.name.prefix(4))-\($0)") }
    }
    settle(milliseconds: 500)
    for iteration in 0..<options.iterations {
        // Who goes first alternates, so neither side always runs right after the other's DEL.
        for side in iteration % 2 == 0 ? sides : sides.reversed() {
            let pod = singles[side.name]![iteration]
            let id = "one-\(iteration)"
            // An idle node: the previous DEL's deferred kernel work is not charged to this ADD.
            settle(milliseconds: 20)
            let start = now()
            try await side.add(sandboxID: id, namespace: pod)
            let added = now()
            try await side.delete(sandboxID: id, namespace: pod)
            let deleted = now()
            add["1 pod", default: [:]][side.name, default: Samples()].append(added - start)
            del["1 pod", default: [:]][side.name, default: Samples()].append(deleted - added)
        }
    }
    for pod in singles.values.joined() { namespaces.remove(pod) }

    // N pods in sequence (the nodes fill up), then deleted in sequence; the sides alternate pod
    // by pod so that a change in machine load hits both alike.
    let scenario = "\(options.pods) pods in sequence"
    for round in 0..<options.rounds {
        var pods: [String: [NetworkNamespace]] = [:]
        for side in sides {
            pods[side.name] = try (0..<options.pods).map { try namespaces.makePod("seq-\(side.name.prefix(4))-\(round)-\($0)") }
        }
        settle(milliseconds: 500)
        for index in 0..<options.pods {
            for side in index % 2 == 0 ? sides : sides.reversed() {
                let start = now()
                try await side.add(sandboxID: "seq-\(round)-\(index)", namespace: pods[side.name]![index])
                add[scenario, default: [:]][side.name, default: Samples()].append(now() - start)
            }
        }
        for index in 0..<options.pods {
            for side in index % 2 == 0 ? sides : sides.reversed() {
                let start = now()
                try await side.delete(sandboxID: "seq-\(round)-\(index)", namespace: pods[side.name]![index])
                del[scenario, default: [:]][side.name, default: Samples()].append(now() - start)
            }
        }
        for pod in pods.values.joined() { namespaces.remove(pod) }
        settle(milliseconds: 500)
    }

    print("swiftlet-bench-network: built-in bridge plugin vs \(peer.name) (\(options.cniPath)), \(options.iterations) single-pod iterations, \(options.rounds) rounds of \(options.pods) pods, lease state under \(options.stateRoot)")
    print("load average before / after: \(loadBefore) / \(loadAverage()) (other work on the machine widens the spread)")
    print("pod namespaces handed over with loopback \(options.loopbackUp ? "up (as the runtime does)" : "down")")
    var rows: [ReportRow] = []
    for (metric, table) in [("pod_network_add", add), ("pod_network_del", del)] {
        for (scenario, suffix) in [("1 pod", ""), (scenario, "_\(options.pods)_pods_sequence")] {
            let mine = table[scenario]?[ours.name], theirs = table[scenario]?[peer.name]
            if let mine, let theirs {
                print(Samples.report(metric: metric, scenario: scenario, ours: mine, peer: theirs))
            } else if let only = mine ?? theirs {
                print(Samples.report(metric: metric, scenario: scenario, side: options.side, samples: only))
            }
            if let mine {
                rows.append(ReportRow(metric: metric + suffix, unit: "ms", nanoseconds: mine.values,
                                      peer: "CNI bridge+host-local", peerNanoseconds: theirs?.values))
            }
        }
    }
    try Report.emit("network", rows, output: options.output)
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg has them.
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

func makeTemporaryDirectory(in root: String) throws -> String {
    var template = Array((root + "/swiftlet-bench-XXXXXX").utf8CString)
    guard mkdtemp(&template) != nil else { throw BenchError("mkdtemp \(root)/swiftlet-bench-XXXXXX: errno \(errno)") }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

do {
    try await run(Options(Array(CommandLine.arguments.dropFirst())))
} catch {
    FileHandle.standardError.write(Data("swiftlet-bench-network: \(error)\n".utf8))
    exit(1)
}
