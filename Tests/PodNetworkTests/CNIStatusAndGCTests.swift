import Foundation
import Glibc
import Netlink
import PodNetwork
import TestSupport
import Testing

/// CNI 1.1's STATUS and GC through `CNINetwork`, run in a "node" namespace the test creates.
/// Debian's containernetworking-plugins 1.1.1 speak CNI up to 1.0.0 (their VERSION answer) and
/// implement neither verb, so the 1.1 behaviour is checked against a recording plugin script
/// that answers as the spec says; the real plugins show what a 1.0.0 network and a 1.1.0 network
/// on old plugins do.
@Suite(.serialized, .requires(.root))
final class CNIStatusAndGCTests {
    static let pluginDirectory = "/usr/lib/cni"
    private let directories = TemporaryDirectories(prefix: "swiftlet-cni-verbs")

    /// One recorded plugin run: which plugin, which command, its stdin and its `CNI_*` variables.
    struct Call {
        let plugin: String
        let command: String
        let input: [String: Any]
        let environment: [String: String]

        var summary: String { "\(plugin) \(command)" }
    }

    struct Setup {
        let root: String
        let configuration: CNINetworkConfiguration
    }

    /// A plugin that records every run under `root/calls` (`NNN-name-COMMAND.json` and `.env`).
    /// ADD prints a result of `version`; STATUS fails with the code and message written in
    /// `root/unavailable-name` (`CODE message`) when that file exists; other commands succeed.
    static func recordingPlugin(name: String, root: String, version: String) -> String {
        """
        #!/bin/sh
        dir=\(root)/calls
        mkdir -p "$dir"
        n=$(ls "$dir" | grep -c '\\.json$')
        base="$dir/$(printf %03d "$n")-\(name)-$CNI_COMMAND"
        cat > "$base.json"
        env | grep '^CNI_' | sort > "$base.env"
        case "$CNI_COMMAND" in
        ADD)
          printf '{"cniVersion":"\(version)","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"address":"10.92.0.%s/24","interface":0}]}' \\
            "$CNI_IFNAME" "$CNI_NETNS" "$((n + 2))"
          ;;
        STATUS)
          if [ -f \(root)/unavailable-\(name) ]; then
            read -r code message < \(root)/unavailable-\(name)
            printf '{"cniVersion":"\(version)","code":%s,"msg":"%s"}' "$code" "$message"
            exit 1
          fi
          ;;
        esac
        exit 0
        """
    }

    /// A temporary tree with a conflist of `plugins` (JSON objects) at `version`, the recording
    /// plugins `recorders` in its own bin directory, and a cache directory.
    func makeSetup(node: NetworkNamespace, version: String, plugins: (String) -> String, recorders: [String],
                   extraFields: String = "") throws -> Setup {
        let root = try directories.make()
        try FileManager.default.createDirectory(atPath: root + "/net.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        let conflist = "{\"cniVersion\":\"\(version)\",\"name\":\"swt-verbs\",\(extraFields)\"plugins\":[\(plugins(root))]}"
        try conflist.write(toFile: root + "/net.d/10-swt.conflist", atomically: true, encoding: .utf8)
        for name in recorders {
            let path = root + "/bin/" + name
            try Self.recordingPlugin(name: name, root: root, version: version).write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        let configuration = CNINetworkConfiguration(configurationDirectory: root + "/net.d",
                                                    binaryDirectories: [root + "/bin", Self.pluginDirectory],
                                                    cacheDirectory: root + "/cache", nodeNamespacePath: node.path)
        return Setup(root: root, configuration: configuration)
    }

    /// Every recorded run, in order.
    func calls(_ setup: Setup) throws -> [Call] {
        let directory = setup.root + "/calls"
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted().map { name in
            let base = String(name.dropLast(".json".count))
            let parts = base.split(separator: "-")
            let data = try #require(FileManager.default.contents(atPath: directory + "/" + name))
            let input = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let envText = try String(contentsOfFile: directory + "/" + base + ".env", encoding: .utf8)
            var environment: [String: String] = [:]
            for line in envText.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return Call(plugin: String(parts[1]), command: String(parts[2]), input: input, environment: environment)
        }
    }

    /// The attachments a GC input lists under `key`, as `containerID/ifname`.
    func attachments(_ call: Call, key: String = "cni.dev/valid-attachments") -> [String]? {
        (call.input[key] as? [[String: String]])?.map { "\($0["containerID"] ?? "?")/\($0["ifname"] ?? "?")" }
    }

    static func recorders(_ names: String...) -> (String) -> String {
        { _ in names.map { "{\"type\":\"\($0)\"}" }.joined(separator: ",") }
    }

    @Test func statusOfA11NetworkAsksEveryPluginInOrderWithNoContainerVariables() async throws {
        try await withNamespaces(["node"]) { spaces in
            let setup = try makeSetup(node: spaces[0], version: "1.1.0", plugins: Self.recorders("first", "second"),
                                      recorders: ["first", "second"])
            let plugin = CNINetwork(configuration: setup.configuration)
            try await plugin.start(liveSandboxes: [])
            let before = try calls(setup).count
            try await plugin.ready()
            let status = Array(try calls(setup).dropFirst(before))
            #expect(status.map(\.summary) == ["first STATUS", "second STATUS"])
            for call in status {
                #expect(call.environment == ["CNI_COMMAND": "STATUS", "CNI_PATH": setup.configuration.binaryDirectories.joined(separator: ":")])
                #expect(call.input["name"] as? String == "swt-verbs")
                #expect(call.input["cniVersion"] as? String == "1.1.0")
                #expect(call.input["type"] as? String == call.plugin)
                #expect(call.input["prevResult"] == nil)
            }
        }
    }

    @Test func statusCode50MakesTheNetworkNotReadyWithThePluginsMessageAndStopsTheChain() async throws {
        try await withNamespaces(["node"]) { spaces in
            let setup = try makeSetup(node: spaces[0], version: "1.1.0", plugins: Self.recorders("first", "second", "third"),
                                      recorders: ["first", "second", "third"])
            try "50 overlay daemon unreachable\n".write(toFile: setup.root + "/unavailable-second", atomically: true, encoding: .utf8)
            let plugin = CNINetwork(configuration: setup.configuration)
            try await plugin.start(liveSandboxes: [])
            let before = try calls(setup).count
            let expected = PodNetworkError.pluginFailed(type: "second", command: "STATUS", code: 50,
                                                        message: "overlay daemon unreachable", details: "")
            await #expect(throws: expected) { try await plugin.ready() }
            #expect(expected.description == "CNI plugin \"second\" STATUS failed with code 50: overlay daemon unreachable")
            #expect(try calls(setup).dropFirst(before).map(\.summary) == ["first STATUS", "second STATUS"])

            // 51 (existing containers may be affected) is not ready too; once the plugin recovers, ready.
            try "51 dataplane degraded\n".write(toFile: setup.root + "/unavailable-second", atomically: true, encoding: .utf8)
            await #expect(throws: PodNetworkError.pluginFailed(type: "second", command: "STATUS", code: 51,
                                                               message: "dataplane degraded", details: "")) {
                try await plugin.ready()
            }
            try FileManager.default.removeItem(atPath: setup.root + "/unavailable-second")
            try await plugin.ready()
        }
    }

    @Test func gcAtStartDeletesGoneSandboxesThenSendsEveryPluginExactlyTheLiveAttachments() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let setup = try makeSetup(node: spaces[0], version: "1.1.0", plugins: Self.recorders("first", "second"),
                                      recorders: ["first", "second"])
            let before = CNINetwork(configuration: setup.configuration)
            try await before.start(liveSandboxes: [])
            for (sandbox, interface) in [("keep", "eth0"), ("keep", "net1"), ("gone", "eth0")] {
                _ = try await before.add(PodNetworkRequest(sandboxID: sandbox, namespacePath: spaces[1].path, interfaceName: interface))
            }
            let earlier = try calls(setup).count

            // The agent restarts: "keep" still runs, "fresh" runs but was never cached, "gone" is gone.
            let after = CNINetwork(configuration: setup.configuration)
            try await after.start(liveSandboxes: ["keep", "fresh"])
            let restart = Array(try calls(setup).dropFirst(earlier))
            #expect(restart.map(\.summary) == ["second DEL", "first DEL", "first GC", "second GC"])
            #expect(restart[0].environment["CNI_CONTAINERID"] == "gone")
            let gc = restart.filter { $0.command == "GC" }
            for call in gc {
                #expect(attachments(call) == ["fresh/eth0", "keep/eth0", "keep/net1"])
                #expect(attachments(call, key: "cni.dev/attachments") == ["fresh/eth0", "keep/eth0", "keep/net1"])
                #expect(call.environment == ["CNI_COMMAND": "GC", "CNI_PATH": setup.configuration.binaryDirectories.joined(separator: ":")])
                #expect(call.input["name"] as? String == "swt-verbs" && call.input["cniVersion"] as? String == "1.1.0")
            }
            #expect(try await after.status().leases.map(\.sandboxID) == ["keep", "keep"])

            // The method on its own: what is not listed is deleted from the cache, the rest goes to GC.
            let beforeMethod = try calls(setup).count
            try await after.garbageCollect(validAttachments: [CNIAttachment(containerID: "keep", interfaceName: "net1")])
            let method = Array(try calls(setup).dropFirst(beforeMethod))
            #expect(method.map(\.summary) == ["second DEL", "first DEL", "first GC", "second GC"])
            #expect(method.filter { $0.command == "DEL" }.allSatisfy { $0.environment["CNI_IFNAME"] == "eth0" })
            #expect(method.filter { $0.command == "GC" }.map { attachments($0) } == [["keep/net1"], ["keep/net1"]])
        }
    }

    @Test func disableGCKeepsTheDeletesOfGoneSandboxesButSendsNoGC() async throws {
        try await withNamespaces(["node", "pod"]) { spaces in
            let setup = try makeSetup(node: spaces[0], version: "1.1.0", plugins: Self.recorders("only"), recorders: ["only"],
                                      extraFields: "\"disableGC\":true,")
            let before = CNINetwork(configuration: setup.configuration)
            try await before.start(liveSandboxes: [])
            _ = try await before.add(PodNetworkRequest(sandboxID: "gone", namespacePath: spaces[1].path))
            try await CNINetwork(configuration: setup.configuration).start(liveSandboxes: [])
            #expect(try calls(setup).map(\.summary) == ["only ADD", "only DEL"])
        }
    }

    @Test func a10NetworkOnDebiansPluginsSendsNeitherStatusNorGC() async throws {
        try Requirement.verify(.path(Self.pluginDirectory + "/bridge"))
        try await withNamespaces(["node", "pod"]) { spaces in
            let setup = try makeSetup(node: spaces[0], version: "1.0.0", plugins: { root in
                #"{"type":"recorder"},"# + CNINetworkTests.bridgePlugin(root, ipMasq: false).replacingOccurrences(of: "cnisw0", with: "cnivb0")
            }, recorders: ["recorder"])
            let plugin = CNINetwork(configuration: setup.configuration)
            try await plugin.start(liveSandboxes: [])
            let result = try await plugin.add(PodNetworkRequest(sandboxID: "old", namespacePath: spaces[1].path))
            #expect(result.podIPs == [IPAddress("10.91.0.2")!])
            try await plugin.ready()
            let restarted = CNINetwork(configuration: setup.configuration)
            try await restarted.start(liveSandboxes: [])
            try await restarted.ready()
            try await restarted.garbageCollect(validAttachments: [])
            #expect(try calls(setup).map(\.summary) == ["recorder ADD", "recorder DEL"])
            #expect(try NetlinkSocket(in: spaces[1]).link(named: "eth0") == nil)
        }
    }

    @Test func a11NetworkOnDebiansPluginsIsNotReadyBecauseTheyDoNotAnswerStatus() async throws {
        try Requirement.verify(.path(Self.pluginDirectory + "/bridge"))
        try await withNamespaces(["node"]) { spaces in
            let setup = try makeSetup(node: spaces[0], version: "1.1.0", plugins: { CNINetworkTests.bridgePlugin($0, ipMasq: false) },
                                      recorders: [])
            let plugin = CNINetwork(configuration: setup.configuration)
            // GC at start fails the same way: the plugin rejects a verb it does not know. That is
            // reported as a failed garbage collection, and the network is loaded all the same.
            let gcError = await #expect(throws: PodNetworkError.self) { try await plugin.start(liveSandboxes: []) }
            guard case .garbageCollectionFailed(let network, let reason) = gcError else {
                Issue.record("expected a failed garbage collection, got \(String(describing: gcError))")
                return
            }
            #expect(network == "swt-verbs" && reason.contains(#"CNI plugin "bridge" GC failed"#))
            #expect(await plugin.configurationList?.name == "swt-verbs")
            let statusError = await #expect(throws: PodNetworkError.self) { try await plugin.ready() }
            guard case .pluginFailed(let type, let command, let code, let message, _) = statusError else {
                Issue.record("expected a plugin failure, got \(String(describing: statusError))")
                return
            }
            #expect(type == "bridge" && command == "STATUS" && code != 0 && !message.isEmpty)
        }
    }
}

@Suite struct CNIConfigurationListVerbTests {
    @Test func statusAndGCAreSpokenFrom110On() throws {
        func list(_ version: String) throws -> CNIConfigurationList {
            try CNIConfigurationList(data: Data(#"{"cniVersion":"\#(version)","name":"n","plugins":[{"type":"bridge"}]}"#.utf8), source: "f")
        }
        #expect(try list("1.1.0").supportsStatusAndGC)
        #expect(try !list("1.0.0").supportsStatusAndGC)
        #expect(try !list("0.4.0").supportsStatusAndGC)
        let negotiated = Data(#"{"cniVersions":["1.0.0","1.1.0"],"name":"n","plugins":[{"type":"bridge"}]}"#.utf8)
        #expect(try CNIConfigurationList(data: negotiated, source: "f").supportsStatusAndGC)
    }

    @Test func disableGCIsReadAndABadValueNamesFileAndField() throws {
        let on = Data(#"{"cniVersion":"1.1.0","name":"n","disableGC":true,"plugins":[{"type":"bridge"}]}"#.utf8)
        #expect(try CNIConfigurationList(data: on, source: "f").disableGC)
        let off = Data(#"{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"bridge"}]}"#.utf8)
        #expect(try !CNIConfigurationList(data: off, source: "f").disableGC)
        let bad = Data(#"{"cniVersion":"1.1.0","name":"n","disableGC":"yes","plugins":[{"type":"bridge"}]}"#.utf8)
        #expect(throws: PodNetworkError.invalidConfiguration(source: "/etc/cni/net.d/10-x.conflist", field: "disableGC",
                                                             expected: "true or false, got \"yes\"")) {
            try CNIConfigurationList(data: bad, source: "/etc/cni/net.d/10-x.conflist")
        }
    }
}
