import KubeAPI
import Synchronization

@testable import Kubelet

/// A sleeper that moves a manual clock instead of waiting, records each wait, and ends the loop
/// (throws `CancellationError`) once the clock would pass `until`.
final class ManualLoopSleeper: LoopSleeper {
    let clock: ManualKubeletClock
    private let until: Int64
    private let waits = Mutex<[Duration]>([])

    init(clock: ManualKubeletClock, runFor duration: Duration) {
        self.clock = clock
        self.until = clock.nowNanoseconds() + NodeTime.nanoseconds(duration)
    }

    var recorded: [Duration] { waits.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        waits.withLock { $0.append(duration) }
        if clock.nowNanoseconds() + NodeTime.nanoseconds(duration) > until { throw CancellationError() }
        clock.advance(by: duration)
    }
}

let nodeTestStart: Int64 = 1_800_000_000 * 1_000_000_000

func seconds(since start: Int64, _ nanoseconds: Int64) -> Double { Double(nanoseconds - start) / 1e9 }

/// A machine with 4 CPUs, 8 GiB, 512 2-MiB huge pages and 100 GiB of disk.
let testMachine = MachineInfo(
    cpuCores: 4, memoryBytes: 8 << 30, hugePages: [2 << 20: 512], ephemeralStorageBytes: 100 << 30,
    machineID: "machine-1", systemUUID: "uuid-1", bootID: "boot-1", kernelVersion: "6.1.0-test",
    osImage: "Debian GNU/Linux 12 (bookworm)", architecture: "amd64", hostname: "node-a")

func testSettings(_ change: (inout NodeStatusSettings) -> Void = { _ in }) -> NodeStatusSettings {
    var settings = NodeStatusSettings(
        nodeName: "node-a", nodeIPs: ["10.0.0.5"], kubeletVersion: "v1.37.0", containerRuntimeVersion: "swiftlet://0.1.0")
    change(&settings)
    return settings
}

/// Applies a strategic merge patch the way the API server does for the fields these tests touch.
func applyStrategicMerge(_ patch: JSONValue, to target: JSONValue, mergeKeys: [String: String], path: String = "") -> JSONValue {
    guard case .object(let patchObject) = patch else { return patch }
    var result = target.objectValue ?? JSONObject()
    var merged: [String: JSONValue] = [:]
    var order: [String] = result.keys
    for (key, value) in patchObject.members where !key.hasPrefix("$setElementOrder/") {
        let fieldPath = path.isEmpty ? key : path + "." + key
        if value == .null {
            merged[key] = .null
            continue
        }
        if !order.contains(key) { order.append(key) }
        if case .array(let changes) = value, let mergeKey = mergeKeys[fieldPath] {
            var list = Array(result[key].flatMap { v -> JSONArray? in if case .array(let a) = v { a } else { nil } } ?? [])
            for change in changes {
                guard let name = change.objectValue?[mergeKey] else { continue }
                let index = list.firstIndex { $0.objectValue?[mergeKey] == name }
                if change.objectValue?["$patch"] == .string("delete") {
                    if let index { list.remove(at: index) }
                } else if let index {
                    list[index] = applyStrategicMerge(change, to: list[index], mergeKeys: mergeKeys, path: fieldPath)
                } else {
                    list.append(change)
                }
            }
            merged[key] = .array(JSONArray(list))
        } else if case .object = value, let existing = result[key], case .object = existing {
            merged[key] = applyStrategicMerge(value, to: existing, mergeKeys: mergeKeys, path: fieldPath)
        } else {
            merged[key] = value
        }
    }
    var out = JSONObject()
    for key in order {
        if let value = merged[key] {
            if value != .null { out.append(key, value) }
        } else if let value = result[key] {
            out.append(key, value)
        }
    }
    result = out
    return .object(result)
}

/// Failures queued per kind of call, thrown in order; each call is recorded.
struct FailureQueue<Call: Hashable & Sendable>: Sendable {
    private(set) var calls: [Call] = []
    private var queued: [Call: [KubeAPIFailure]] = [:]

    mutating func add(_ call: Call, _ failures: [KubeAPIFailure]) { queued[call, default: []] += failures }

    /// Records `call`, throwing the next failure queued for it.
    mutating func check(_ call: Call) throws {
        calls.append(call)
        if let failure = queued[call]?.first {
            queued[call]?.removeFirst()
            throw failure
        }
    }
}

/// An API server holding one Node; failures can be queued per call.
actor FakeNodeClient: NodeClient {
    enum Call: Equatable { case create, get, patch }

    var node: CoreV1.Node?
    var patches: [(at: Int64, patch: JSONValue)] = []
    private var failures = FailureQueue<Call>()
    var calls: [Call] { failures.calls }
    let clock: any KubeletClock

    init(clock: any KubeletClock, existing: CoreV1.Node? = nil) {
        self.clock = clock
        self.node = existing
    }

    func fail(_ call: Call, with failures: [KubeAPIFailure]) { self.failures.add(call, failures) }
    func setPodCIDRs(_ cidrs: [String]) {
        var spec = node?.spec ?? CoreV1.NodeSpec()
        spec.podCIDR = cidrs.first
        spec.podCIDRs = cidrs
        node?.spec = spec
    }

    private func check(_ call: Call) throws { try failures.check(call) }

    func createNode(_ node: CoreV1.Node) async throws -> CoreV1.Node {
        try check(.create)
        if self.node != nil { throw KubeAPIFailure(.alreadyExists, "nodes \"node-a\" already exists") }
        var created = node
        created.metadata?.uid = "uid-node-a"
        created.metadata?.resourceVersion = "1"
        self.node = created
        return created
    }

    func getNode(named name: String) async throws -> CoreV1.Node {
        try check(.get)
        guard let node else { throw KubeAPIFailure(.notFound, "nodes \"\(name)\" not found") }
        return node
    }

    func patchNodeStatus(named name: String, patch: JSONValue) async throws -> CoreV1.Node {
        try check(.patch)
        guard let node else { throw KubeAPIFailure(.notFound, "nodes \"\(name)\" not found") }
        patches.append((clock.nowNanoseconds(), patch))
        let merged = applyStrategicMerge(patch, to: node.encoded(), mergeKeys: StrategicMergePatch.node.mergeKeys)
        let updated = try CoreV1.Node(decoding: merged)
        self.node = updated
        return updated
    }
}
