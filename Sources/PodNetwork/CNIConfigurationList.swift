import Foundation
import KubeAPI

/// A CNI network configuration list (`.conflist`, or a single-plugin `.conf` read as a list of
/// one), as the CNI spec 1.0/1.1 defines it.
public struct CNIConfigurationList: Sendable, Hashable {
    /// The CNI versions this runtime speaks.
    public static let supportedVersions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]

    /// The file it was read from (for errors).
    public var source: String
    /// The network name.
    public var name: String
    /// The version used to talk to the plugins.
    public var cniVersion: String
    /// CHECK is turned off for this network.
    public var disableCheck: Bool
    /// GC is turned off for this network (CNI 1.1 `disableGC`), e.g. when several runtimes share it.
    public var disableGC: Bool
    /// The plugin configurations, in chain order, as written.
    public var plugins: [JSONValue]

    /// The `type` of each plugin, in chain order.
    public var pluginTypes: [String] { plugins.compactMap { $0["type"]?.stringValue } }

    /// Parses a configuration list; `source` names it in errors.
    /// - Throws: `PodNetworkError.invalidConfiguration` naming the field that is wrong.
    public init(data: Data, source: String) throws(PodNetworkError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            throw .invalidConfiguration(source: source, field: "(document)", expected: "a JSON object (\(error))")
        }
        guard case .object = root else {
            throw .invalidConfiguration(source: source, field: "(document)", expected: "a JSON object")
        }
        self.source = source
        guard let name = root["name"]?.stringValue, !name.isEmpty else {
            throw .invalidConfiguration(source: source, field: "name", expected: "a non-empty string")
        }
        self.name = name
        // CNI 1.1: `cniVersions` lists every version the file is good for; use the newest we speak.
        if let versions = root["cniVersions"]?.arrayValue {
            let strings = versions.compactMap(\.stringValue)
            guard let best = Self.supportedVersions.last(where: strings.contains) else {
                throw .invalidConfiguration(source: source, field: "cniVersions",
                                            expected: "at least one of \(Self.supportedVersions.joined(separator: ", ")), got \(strings.joined(separator: ", "))")
            }
            cniVersion = best
        } else {
            guard let version = root["cniVersion"]?.stringValue else {
                throw .invalidConfiguration(source: source, field: "cniVersion", expected: "a version string")
            }
            guard Self.supportedVersions.contains(version) else {
                throw .invalidConfiguration(source: source, field: "cniVersion",
                                            expected: "one of \(Self.supportedVersions.joined(separator: ", ")), got \"\(version)\"")
            }
            cniVersion = version
        }
        disableCheck = try Self.flag(root, "disableCheck", source: source)
        disableGC = try Self.flag(root, "disableGC", source: source)
        if let list = root["plugins"] {
            guard let plugins = list.arrayValue, !plugins.isEmpty else {
                throw .invalidConfiguration(source: source, field: "plugins", expected: "a non-empty array of plugin objects")
            }
            self.plugins = Array(plugins)
        } else if root["type"] != nil {
            plugins = [root]
        } else {
            throw .invalidConfiguration(source: source, field: "plugins", expected: "a non-empty array of plugin objects")
        }
        for (index, plugin) in plugins.enumerated() {
            guard let type = plugin["type"]?.stringValue, !type.isEmpty, !type.contains("/") else {
                throw .invalidConfiguration(source: source, field: "plugins[\(index)].type", expected: "a plugin name without '/'")
            }
        }
    }

    /// The version speaks CNI 1.1's STATUS and GC (1.1.0 and later); older networks count as
    /// ready and get no GC, as libcni does.
    public var supportsStatusAndGC: Bool {
        Self.isVersion(cniVersion, atLeast: [1, 1, 0])
    }

    /// Compares a dotted version with `minimum` component by component (missing components are 0).
    static func isVersion(_ version: String, atLeast minimum: [Int]) -> Bool {
        let parts = version.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(parts.count, minimum.count) {
            let have = index < parts.count ? parts[index] : 0
            let need = index < minimum.count ? minimum[index] : 0
            if have != need { return have > need }
        }
        return true
    }

    /// A boolean top-level field; absent is `false`. Some files write `"true"` as a string (the
    /// spec's own text calls `disableCheck` a string), so both forms are read.
    private static func flag(_ root: JSONValue, _ field: String, source: String) throws(PodNetworkError) -> Bool {
        guard let value = root[field] else { return false }
        if let bool = value.boolValue { return bool }
        switch value.stringValue {
        case "true": return true
        case "false": return false
        default: throw .invalidConfiguration(source: source, field: field, expected: "true or false, got \(value.errorRendering)")
        }
    }

    /// Reads the first configuration in `directory` by file name (`.conflist`, `.conf`, `.json`),
    /// as kubelet and libcni pick it.
    /// - Throws: `PodNetworkError.invalidConfiguration` when there is none or it is invalid.
    public static func load(directory: String) throws(PodNetworkError) -> CNIConfigurationList {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .invalidConfiguration(source: directory, field: "(directory)", expected: "a readable directory of CNI configurations")
        }
        let candidates = names.filter { $0.hasSuffix(".conflist") || $0.hasSuffix(".conf") || $0.hasSuffix(".json") }.sorted()
        guard let first = candidates.first else {
            throw .invalidConfiguration(source: directory, field: "(directory)", expected: "at least one .conflist, .conf or .json file")
        }
        return try load(file: directory + "/" + first)
    }

    /// Reads one configuration file.
    public static func load(file: String) throws(PodNetworkError) -> CNIConfigurationList {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .invalidConfiguration(source: file, field: "(file)", expected: "a readable file")
        }
        return try CNIConfigurationList(data: data, source: file)
    }
}
