import ContainerRuntime
import Foundation
import Images
import Logging
import NativeRuntime
import Netlink
import PodNetwork
import RuntimeWiring
import Testing

/// A scratch directory with an image store, a runtime state directory and a pod log root, and a
/// cgroup parent of its own; `tearDown()` removes every sandbox, the cgroups and the directory.
struct WiringFixture {
    static let controllers = ["cpu", "cpuacct", "memory", "pids", "devices"]

    let root: String
    let cgroupParent: String

    init() throws {
        root = "/tmp/swiftlet-wiring-\(UUID().uuidString.prefix(8))"
        cgroupParent = "swiftlet-wiring-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    var imageStore: String { root + "/images" }
    var runtimeState: String { root + "/runtime" }
    var networkState: String { root + "/network" }
    var logRoot: String { root + "/pods" }

    /// The directory holding the test bundle, where SwiftPM also puts swiftlet-monitor and swiftlet.
    static var productsDirectory: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("swiftlet-monitor").path) {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }

    static var cgroupMode: NativeRuntimeConfiguration.CgroupMode {
        FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
            ? .v2(root: "/sys/fs/cgroup") : .v1(root: "/sys/fs/cgroup", controllers: controllers)
    }

    /// Imports the busybox layout as `tag` into the fixture's store.
    func importBusybox(tag: String, defaults: ContainerDefaults) async throws -> Images.Image {
        let layout = root + "/layout"
        try BusyboxLayout.write(to: layout, tag: tag, defaults: defaults)
        let store = try ImageStore(root: imageStore)
        let images = try await store.importLayout(at: layout)
        try FileManager.default.removeItem(atPath: layout)
        return try #require(images.first)
    }

    /// A CNI network of Debian's `bridge` + `host-local` plugins in `net.d` under the fixture,
    /// with the bridge in the node namespace at `node`.
    func cniNetwork(version: String, name: String, bridge: String, subnet: String, node: String) throws -> CNINetworkConfiguration {
        let netd = root + "/net.d"
        try FileManager.default.createDirectory(atPath: netd, withIntermediateDirectories: true)
        try """
            {"cniVersion": "\(version)", "name": "\(name)", "plugins": [
              {"type": "bridge", "bridge": "\(bridge)", "isGateway": true, "ipMasq": false,
               "ipam": {"type": "host-local", "ranges": [[{"subnet": "\(subnet)"}]], "dataDir": "\(root)/ipam"}}]}
            """.write(toFile: netd + "/10-\(name).conflist", atomically: true, encoding: .utf8)
        return CNINetworkConfiguration(
            configurationDirectory: netd, binaryDirectories: ["/usr/lib/cni"], cacheDirectory: root + "/cni-cache",
            nodeNamespacePath: node)
    }

    func open(network: NodeRuntimeSettings.Network) async throws -> NodeRuntime {
        var logger = Logger(label: "swiftlet.test")
        logger.logLevel = .warning
        return try await NodeRuntime.open(NodeRuntimeSettings(
            runtimeStateDirectory: runtimeState, imageStoreDirectory: imageStore,
            monitorPath: Self.productsDirectory + "/swiftlet-monitor", cgroupMode: Self.cgroupMode, cgroupParent: cgroupParent,
            network: network, logger: logger))
    }

    func sandboxConfig(_ name: String, portMappings: [PortMapping] = []) -> PodSandboxConfig {
        let metadata = PodSandboxMetadata(name: name, uid: UUID().uuidString.lowercased(), namespace: "wiring")
        return PodSandboxConfig(metadata: metadata, hostname: name, logDirectory: metadata.logDirectory(root: logRoot), portMappings: portMappings)
    }

    /// Waits on the event stream until the container exited; returns its status.
    static func waitUntilExited(_ runtime: NativeRuntime, _ id: String, seconds: Double = 20) async throws -> ContainerStatus {
        let events = await runtime.containerEvents()
        let current = try await runtime.containerStatus(id: id)
        if current.state == .exited { return current }
        let status = try await withThrowingTaskGroup(of: ContainerStatus?.self) { group in
            group.addTask {
                for await event in events where event.containerID == id && event.kind == .stopped { return event.status }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        if let status { return status }
        let late = try await runtime.containerStatus(id: id)
        try #require(late.state == .exited, "container \(id) did not exit within \(seconds)s")
        return late
    }

    /// The text of a container's CRI log lines.
    func logText(_ config: PodSandboxConfig, _ logPath: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(config.logDirectory)/\(logPath)"))
        return CRILogLine.parseAll(Array(data)).map(\.text)
    }

    /// Removes every sandbox the runtime knows, the cgroup parent and the directory.
    func tearDown(_ node: NodeRuntime?) async {
        if let node {
            do {
                for sandbox in try await node.runtime.listPodSandboxes(filter: PodSandboxFilter()) {
                    try await node.runtime.removePodSandbox(id: sandbox.id)
                }
            } catch {
                Issue.record("tearing down \(root): \(error)")
            }
            await node.runtime.shutdown()
        }
        Self.killMonitors(under: root)
        switch Self.cgroupMode {
        case .v1(let cgroupRoot, let controllers):
            for controller in controllers { Self.removeCgroupTree("\(cgroupRoot)/\(controller)/\(cgroupParent)") }
        case .v2(let cgroupRoot):
            Self.removeCgroupTree("\(cgroupRoot)/\(cgroupParent)")
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// How many `swiftlet-monitor run` processes have their state directory under `root`.
    static func monitorCount(under root: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { name in
            guard Int32(name) != nil, let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.count == 3 && arguments[1] == "run" && arguments[2].hasPrefix(root + "/")
        }.count
    }

    /// Kills `swiftlet-monitor run` processes whose state directory is under `root` (left by a failed test).
    static func killMonitors(under root: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.count == 3 && arguments[1] == "run" && arguments[2].hasPrefix(root + "/") { kill(pid, SIGKILL) }
        }
    }

    static func removeCgroupTree(_ path: String) {
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + child, isDirectory: &isDirectory), isDirectory.boolValue {
                removeCgroupTree(path + "/" + child)
            }
        }
        rmdir(path)
    }
}
