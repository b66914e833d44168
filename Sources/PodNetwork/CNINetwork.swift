import Foundation
import Glibc
import KubeAPI
import Netlink

/// The external mode: runs the plugins of a CNI configuration list as the CNI spec (1.0, 1.1)
/// says. ADD runs the chain in order, each plugin getting the previous one's result as
/// `prevResult`; the final result is cached on disk for DEL and CHECK, which run with it. An ADD
/// that fails part way runs DEL over the chain so nothing stays half set up. Plugins with the
/// `portMappings` capability get the pod's host ports in `runtimeConfig`. For CNI 1.1 networks,
/// STATUS tells whether the network can take pods (`ready()`) and GC, with the attachments still
/// in use, lets the plugins release whatever else they hold (`garbageCollect(validAttachments:)`).
public actor CNINetwork: PodNetworkPlugin {
    private let configuration: CNINetworkConfiguration
    private var network: CNIConfigurationList?

    /// A plugin for `configuration`; the conflist is read by `start(liveSandboxes:)`.
    public init(configuration: CNINetworkConfiguration) {
        self.configuration = configuration
    }

    /// The loaded configuration list, after `start`.
    public var configurationList: CNIConfigurationList? { network }

    /// Reads the conflist and runs DEL for every cached attachment whose sandbox is not live; for a
    /// CNI 1.1 network it then sends GC with the attachments of the live sandboxes
    /// (see `garbageCollect(validAttachments:)`).
    /// - Throws: `PodNetworkError.garbageCollectionFailed` with the first DEL or GC failure, after
    ///   every step has run (the network is loaded and usable then); a conflist error as it is.
    public func start(liveSandboxes: Set<String>) async throws {
        let network = try CNIConfigurationList.load(directory: configuration.configurationDirectory)
        self.network = network
        do {
            try await collectGarbage(network: network, liveSandboxes: liveSandboxes)
        } catch {
            throw PodNetworkError.garbageCollectionFailed(network: network.name, reason: "\(error)")
        }
    }

    private func collectGarbage(network: CNIConfigurationList, liveSandboxes: Set<String>) async throws {
        let cached = try cachedEntries(network: network)
        var valid = cached.filter { liveSandboxes.contains($0.sandboxID) }
            .map { CNIAttachment(containerID: $0.sandboxID, interfaceName: $0.interfaceName) }
        // A live sandbox with nothing cached may still be attached (the agent stopped between ADD
        // and the cache write): keep it on the interface the runtime attaches rather than let GC
        // take a running pod's network away.
        let cachedSandboxes = Set(cached.map(\.sandboxID))
        valid += liveSandboxes.subtracting(cachedSandboxes).map { CNIAttachment(containerID: $0) }
        try await garbageCollect(validAttachments: valid)
    }

    /// libcni's garbage collection for this network. First DEL for every cached attachment not in
    /// `validAttachments`; then, for CNI 1.1 networks without `disableGC`, `CNI_COMMAND=GC` to each
    /// plugin in chain order with `cni.dev/valid-attachments` listing `validAttachments` (also sent
    /// as `cni.dev/attachments`, the key the 1.1.0 spec text first used), so plugins release what
    /// belongs to attachments nobody knows of. Older networks get no GC: the DELs are the cleanup.
    /// - Throws: the first failure (`PodNetworkError.pluginFailed` with command `DEL` or `GC`),
    ///   after every DEL and every plugin's GC has run.
    public func garbageCollect(validAttachments: [CNIAttachment]) async throws {
        let network = try loaded()
        let keep = Set(validAttachments)
        var firstError: (any Error)?
        for entry in try cachedEntries(network: network)
        where !keep.contains(CNIAttachment(containerID: entry.sandboxID, interfaceName: entry.interfaceName)) {
            do {
                try await delete(PodNetworkRequest(sandboxID: entry.sandboxID, namespacePath: entry.namespacePath,
                                                   interfaceName: entry.interfaceName, podReference: entry.podReference))
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if network.supportsStatusAndGC, !network.disableGC {
            let list = JSONValue.array(JSONArray(keep.sorted().map { attachment in
                JSONValue.object(["containerID": .string(attachment.containerID), "ifname": .string(attachment.interfaceName)])
            }))
            for (plugin, type) in zip(network.plugins, network.pluginTypes) {
                do {
                    let config = plugin.setting("cni.dev/valid-attachments", to: list).setting("cni.dev/attachments", to: list)
                    try await invokeNetworkCommand("GC", plugin: config, binary: try binary(for: type), network: network)
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
        }
        if let firstError { throw firstError }
    }

    /// For a CNI 1.1 network, runs `CNI_COMMAND=STATUS` for each plugin in chain order and stops
    /// at the first that fails; networks of older versions are ready once loaded, as with libcni.
    /// - Throws: `PodNetworkError.pluginFailed` with command `STATUS` and the plugin's code (50:
    ///   not available; 51: not available and existing pods may be affected) and message, or
    ///   `pluginNotFound`; `invalidRequest` before `start`.
    public func ready() async throws {
        let network = try loaded()
        guard network.supportsStatusAndGC else { return }
        for (plugin, type) in zip(network.plugins, network.pluginTypes) {
            try await invokeNetworkCommand("STATUS", plugin: plugin, binary: try binary(for: type), network: network)
        }
    }

    public func add(_ request: PodNetworkRequest) async throws -> PodNetworkResult {
        let network = try loaded()
        let binaries = try network.pluginTypes.map { type throws(PodNetworkError) in try binary(for: type) }
        var previous: JSONValue?
        do {
            for (plugin, path) in zip(network.plugins, binaries) {
                previous = try await invoke("ADD", plugin: plugin, binary: path, network: network, request: request, previous: previous)
            }
        } catch {
            try? await runDelete(network: network, request: request, previous: previous)
            throw error
        }
        guard let previous else {
            throw PodNetworkError.invalidPluginResult(type: network.pluginTypes.last ?? "", reason: "no result")
        }
        let result = try CNIResult.parse(previous, pluginType: network.pluginTypes.last ?? "")
        try writeCache(CacheEntry(sandboxID: request.sandboxID, interfaceName: request.interfaceName,
                                  namespacePath: request.namespacePath, podReference: request.podReference,
                                  portMappings: request.portMappings, networkName: network.name, result: previous),
                       network: network)
        return result
    }

    public func delete(_ request: PodNetworkRequest) async throws {
        let network = try loaded()
        let cached = try readCache(network: network, sandboxID: request.sandboxID, interfaceName: request.interfaceName)
        var effective = request
        if effective.portMappings.isEmpty, let cached { effective.portMappings = cached.portMappings }
        try await runDelete(network: network, request: effective, previous: cached?.result)
        let path = cachePath(network: network, sandboxID: request.sandboxID, interfaceName: request.interfaceName)
        if unlink(path) != 0, errno != ENOENT { throw PodNetworkError.state(path: path, errno: errno) }
    }

    public func check(_ request: PodNetworkRequest) async throws {
        let network = try loaded()
        guard let cached = try readCache(network: network, sandboxID: request.sandboxID, interfaceName: request.interfaceName) else {
            throw PodNetworkError.checkFailed(sandboxID: request.sandboxID, reason: "no cached result for network \(network.name)")
        }
        // CHECK exists from CNI 0.4.0 on.
        guard !network.disableCheck, network.cniVersion != "0.3.0", network.cniVersion != "0.3.1" else { return }
        var effective = request
        if effective.portMappings.isEmpty { effective.portMappings = cached.portMappings }
        for (plugin, type) in zip(network.plugins, network.pluginTypes) {
            _ = try await invoke("CHECK", plugin: plugin, binary: try binary(for: type), network: network,
                                 request: effective, previous: cached.result)
        }
    }

    public func status() async throws -> PodNetworkStatus {
        let network = try loaded()
        var leases: [PodNetworkStatus.Lease] = []
        var gateways = Set<IPAddress>()
        var ranges = Set<IPNetwork>()
        for entry in try cachedEntries(network: network) {
            guard let result = try? CNIResult.parse(entry.result, pluginType: network.pluginTypes.last ?? "") else { continue }
            for address in result.addresses {
                leases.append(.init(address: address.address.address, sandboxID: entry.sandboxID,
                                    interfaceName: entry.interfaceName, podReference: entry.podReference))
                if let gateway = address.gateway { gateways.insert(gateway) }
                ranges.insert(address.address.canonical)
            }
        }
        let bridge = network.plugins.first { $0["type"]?.stringValue == "bridge" }.map { $0["bridge"]?.stringValue ?? "cni0" }
        return PodNetworkStatus(plugin: "cni", networkName: network.name, bridge: bridge,
                                podCIDRs: ranges.sorted { $0.address < $1.address }, gateways: gateways.sorted(),
                                leases: leases.sorted { $0.address < $1.address })
    }

    // MARK: - Running plugins

    private func loaded() throws(PodNetworkError) -> CNIConfigurationList {
        guard let network else {
            throw .invalidRequest(field: "plugin", expected: "start(liveSandboxes:) to have run before ADD, DEL, CHECK, STATUS or GC")
        }
        return network
    }

    private func binary(for type: String) throws(PodNetworkError) -> String {
        for directory in configuration.binaryDirectories {
            let path = directory + "/" + type
            if access(path, X_OK) == 0 { return path }
        }
        throw .pluginNotFound(type: type, searched: configuration.binaryDirectories)
    }

    private func runDelete(network: CNIConfigurationList, request: PodNetworkRequest, previous: JSONValue?) async throws {
        var firstError: (any Error)?
        for (plugin, type) in zip(network.plugins, network.pluginTypes).reversed() {
            do {
                // prevResult on DEL exists from CNI 0.4.0 on.
                let prev = network.cniVersion.hasPrefix("0.3") ? nil : previous
                _ = try await invoke("DEL", plugin: plugin, binary: try binary(for: type), network: network, request: request, previous: prev)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    /// Runs one plugin and returns its result (for ADD) or `nil`.
    private func invoke(_ command: String, plugin: JSONValue, binary: String, network: CNIConfigurationList,
                        request: PodNetworkRequest, previous: JSONValue?) async throws -> JSONValue? {
        let type = plugin["type"]?.stringValue ?? ""
        var config = plugin.setting("name", to: .string(network.name)).setting("cniVersion", to: .string(network.cniVersion))
        if let previous { config = config.setting("prevResult", to: previous) }
        if plugin["capabilities"]?["portMappings"]?.boolValue == true, !request.portMappings.isEmpty {
            let mappings: [JSONValue] = request.portMappings.map { mapping in
                var entry: JSONObject = [
                    "hostPort": .number(String(mapping.hostPort)), "containerPort": .number(String(mapping.containerPort)),
                    "protocol": .string(mapping.protocol.rawValue),
                ]
                if let hostIP = mapping.hostIP { entry["hostIP"] = .string(hostIP.description) }
                return .object(entry)
            }
            let runtime = (config["runtimeConfig"] ?? .object(JSONObject())).setting("portMappings", to: .array(JSONArray(mappings)))
            config = config.setting("runtimeConfig", to: runtime)
        }
        let input = JSONWriter.bytes(config)
        let (podNamespace, podName) = Self.split(request.podReference)
        var args = ["IgnoreUnknown=1", "K8S_POD_INFRA_CONTAINER_ID=\(request.sandboxID)"]
        if !podNamespace.isEmpty { args += ["K8S_POD_NAMESPACE=\(podNamespace)", "K8S_POD_NAME=\(podName)"] }
        if !request.podUID.isEmpty { args.append("K8S_POD_UID=\(request.podUID)") }
        let environment = [
            "CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(request.sandboxID)", "CNI_NETNS=\(request.namespacePath)",
            "CNI_IFNAME=\(request.interfaceName)", "CNI_PATH=\(configuration.binaryDirectories.joined(separator: ":"))",
            "CNI_ARGS=\(args.joined(separator: ";"))",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        let parsed = try await run(command, type: type, binary: binary, environment: environment, input: input)
        guard command == "ADD" else { return nil }
        guard let parsed, case .object = parsed else {
            throw PodNetworkError.invalidPluginResult(type: type, reason: "stdout is not a JSON object")
        }
        if let version = parsed["cniVersion"]?.stringValue, version != network.cniVersion {
            throw PodNetworkError.invalidPluginResult(type: type, reason: "cniVersion \(version), expected \(network.cniVersion)")
        }
        return parsed
    }

    /// Runs a command about the network rather than one attachment (STATUS, GC): the plugin's
    /// configuration with the list's name and version on stdin, and no container variables.
    private func invokeNetworkCommand(_ command: String, plugin: JSONValue, binary: String, network: CNIConfigurationList) async throws {
        let config = plugin.setting("name", to: .string(network.name)).setting("cniVersion", to: .string(network.cniVersion))
        let environment = [
            "CNI_COMMAND=\(command)", "CNI_PATH=\(configuration.binaryDirectories.joined(separator: ":"))",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        _ = try await run(command, type: plugin["type"]?.stringValue ?? "", binary: binary, environment: environment,
                          input: JSONWriter.bytes(config))
    }

    /// Runs the binary in the node namespace and returns its stdout parsed as JSON (when it is).
    /// - Throws: `PodNetworkError.pluginFailed` with the error result's code, message and details
    ///   (or the exit status and stderr) when the plugin exits non-zero.
    private func run(_ command: String, type: String, binary: String, environment: [String], input: [UInt8]) async throws -> JSONValue? {
        let namespace = try configuration.nodeNamespacePath.map { path throws(NetlinkError) in try NetworkNamespace(path: path) }
        let outcome = try await CNIPluginProcess(path: binary, environment: environment, input: input, namespace: namespace).run()
        let parsed = try? JSONParser.parse(outcome.output)
        guard outcome.status == 0 else {
            let code = parsed?["code"]?.integerValue.map { Int($0) } ?? Int(outcome.status)
            let message = parsed?["msg"]?.stringValue
                ?? String(decoding: outcome.errorOutput.isEmpty ? outcome.output : outcome.errorOutput, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            throw PodNetworkError.pluginFailed(type: type, command: command, code: code, message: message,
                                               details: parsed?["details"]?.stringValue ?? "")
        }
        return parsed
    }

    private static func split(_ reference: String) -> (String, String) {
        guard let slash = reference.firstIndex(of: "/") else { return ("", reference) }
        return (String(reference[..<slash]), String(reference[reference.index(after: slash)...]))
    }

    // MARK: - Result cache

    /// What is kept per attachment, in the spirit of libcni's `cniCacheV1`.
    struct CacheEntry: Codable, Sendable {
        var kind = "swiftletCNICacheV1"
        var sandboxID: String
        var interfaceName: String
        var namespacePath: String
        var podReference: String
        var portMappings: [HostPortMapping]
        var networkName: String
        var result: JSONValue

        init(sandboxID: String, interfaceName: String, namespacePath: String, podReference: String,
             portMappings: [HostPortMapping], networkName: String, result: JSONValue) {
            self.sandboxID = sandboxID
            self.interfaceName = interfaceName
            self.namespacePath = namespacePath
            self.podReference = podReference
            self.portMappings = portMappings
            self.networkName = networkName
            self.result = result
        }
    }

    private func cacheDirectory(network: CNIConfigurationList) -> String {
        configuration.cacheDirectory + "/results/" + network.name
    }

    private func cachePath(network: CNIConfigurationList, sandboxID: String, interfaceName: String) -> String {
        cacheDirectory(network: network) + "/" + sandboxID + "-" + interfaceName
    }

    private func writeCache(_ entry: CacheEntry, network: CNIConfigurationList) throws {
        let directory = cacheDirectory(network: network)
        try makeDirectory(directory)
        let path = cachePath(network: network, sandboxID: entry.sandboxID, interfaceName: entry.interfaceName)
        let data = try JSONEncoder().encode(entry)
        guard FileManager.default.createFile(atPath: path, contents: data) else { throw PodNetworkError.state(path: path, errno: errno) }
    }

    private func readCache(network: CNIConfigurationList, sandboxID: String, interfaceName: String) throws -> CacheEntry? {
        let path = cachePath(network: network, sandboxID: sandboxID, interfaceName: interfaceName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(CacheEntry.self, from: data)
    }

    private func cachedEntries(network: CNIConfigurationList) throws -> [CacheEntry] {
        let directory = cacheDirectory(network: network)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).flatMap { try? JSONDecoder().decode(CacheEntry.self, from: $0) }
        }
    }
}
