import ContainerRuntime
import Foundation
import Yams

/// Reads crictl's sandbox and container config files (`PodSandboxConfig`, `ContainerConfig` in
/// CRI's protobuf JSON shape, as JSON or YAML). Field names are accepted in snake_case
/// (`log_directory`) and lowerCamelCase (`logDirectory`), as protobuf JSON accepts both. An
/// unknown field or a value of the wrong type is an error naming the file, the line and the
/// field path.
public struct CRISpecReader {
    /// A bad spec file: where and what was expected.
    public struct SpecError: Error, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var field: String
        public var expected: String
        public var description: String {
            "\(file)\(line.map { ":\($0)" } ?? ""): \(field.isEmpty ? "document" : field): \(expected)"
        }
    }

    let file: String

    private init(file: String) { self.file = file }

    /// The sandbox config in the file at `path`.
    public static func sandboxConfig(path: String) throws -> PodSandboxConfig {
        let reader = CRISpecReader(file: path)
        return try reader.sandboxConfig(reader.load(path))
    }

    /// The sandbox config in `text`, naming `file` in errors.
    public static func sandboxConfig(text: String, file: String) throws -> PodSandboxConfig {
        let reader = CRISpecReader(file: file)
        return try reader.sandboxConfig(reader.compose(text))
    }

    /// The container config in the file at `path`.
    public static func containerConfig(path: String) throws -> ContainerConfig {
        let reader = CRISpecReader(file: path)
        return try reader.containerConfig(reader.load(path))
    }

    /// The container config in `text`, naming `file` in errors.
    public static func containerConfig(text: String, file: String) throws -> ContainerConfig {
        let reader = CRISpecReader(file: file)
        return try reader.containerConfig(reader.compose(text))
    }

    // MARK: Documents

    private func load(_ path: String) throws -> Node {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError(file: file, line: nil, field: "", expected: "a readable JSON or YAML file")
        }
        return try compose(String(decoding: data, as: UTF8.self))
    }

    private func compose(_ text: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw SpecError(file: file, line: nil, field: "", expected: "a JSON or YAML object, got an empty document")
            }
            return node
        } catch let error as SpecError {
            throw error
        } catch {
            throw SpecError(file: file, line: nil, field: "", expected: "valid JSON or YAML: \(error)")
        }
    }

    /// snake_case of a protobuf JSON name.
    static func snakeCase(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    private func fail(_ node: Node?, _ path: String, _ expected: String) -> SpecError {
        SpecError(file: file, line: node?.mark.map { $0.line }, field: path, expected: expected)
    }

    /// The object's fields in order, keys in snake_case; unknown keys fail.
    private func object(_ node: Node, _ path: String, known: Set<String>) throws -> [(String, Node)] {
        guard let mapping = node.mapping else { throw fail(node, path, "an object") }
        var fields: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard let raw = keyNode.string else { throw fail(keyNode, path, "string keys") }
            let key = Self.snakeCase(raw)
            let fieldPath = path.isEmpty ? key : "\(path).\(key)"
            guard known.contains(key) else {
                throw fail(keyNode, fieldPath, "an unknown field; known here: \(known.sorted().joined(separator: ", "))")
            }
            if case .scalar = value, value.null != nil { continue }
            fields.append((key, value))
        }
        return fields
    }

    private func string(_ node: Node, _ path: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw fail(node, path, "a string") }
        return scalar.string
    }

    private func int(_ node: Node, _ path: String) throws -> Int64 {
        guard case .scalar(let scalar) = node, let value = Int64(scalar.string) else { throw fail(node, path, "an integer") }
        return value
    }

    private func bool(_ node: Node, _ path: String) throws -> Bool {
        guard case .scalar = node, let value = node.bool else { throw fail(node, path, "true or false") }
        return value
    }

    private func strings(_ node: Node, _ path: String) throws -> [String] {
        guard let sequence = node.sequence else { throw fail(node, path, "a list of strings") }
        return try sequence.enumerated().map { try string($0.element, "\(path)[\($0.offset)]") }
    }

    private func stringMap(_ node: Node, _ path: String) throws -> [String: String] {
        guard let mapping = node.mapping else { throw fail(node, path, "an object of strings") }
        var map: [String: String] = [:]
        for (key, value) in mapping {
            let name = try string(key, path)
            map[name] = try string(value, "\(path).\(name)")
        }
        return map
    }

    private func list<T>(_ node: Node, _ path: String, _ item: (Node, String) throws -> T) throws -> [T] {
        guard let sequence = node.sequence else { throw fail(node, path, "a list") }
        return try sequence.enumerated().map { try item($0.element, "\(path)[\($0.offset)]") }
    }

    // MARK: PodSandboxConfig

    func sandboxConfig(_ node: Node) throws -> PodSandboxConfig {
        var config = PodSandboxConfig(metadata: PodSandboxMetadata(name: "", uid: "", namespace: ""))
        var sawMetadata = false
        let known: Set = ["metadata", "hostname", "log_directory", "dns_config", "port_mappings", "labels", "annotations", "linux"]
        for (key, value) in try object(node, "", known: known) {
            switch key {
            case "metadata":
                sawMetadata = true
                for (field, item) in try object(value, "metadata", known: ["name", "uid", "namespace", "attempt"]) {
                    switch field {
                    case "name": config.metadata.name = try string(item, "metadata.name")
                    case "uid": config.metadata.uid = try string(item, "metadata.uid")
                    case "namespace": config.metadata.namespace = try string(item, "metadata.namespace")
                    default:
                        guard let attempt = UInt32(exactly: try int(item, "metadata.attempt")) else {
                            throw fail(item, "metadata.attempt", "a non-negative integer")
                        }
                        config.metadata.attempt = attempt
                    }
                }
            case "hostname": config.hostname = try string(value, key)
            case "log_directory": config.logDirectory = try string(value, key)
            case "dns_config":
                var dns = DNSConfig()
                for (field, item) in try object(value, key, known: ["servers", "searches", "options"]) {
                    let list = try strings(item, "dns_config.\(field)")
                    switch field {
                    case "servers": dns.servers = list
                    case "searches": dns.searches = list
                    default: dns.options = list
                    }
                }
                config.dnsConfig = dns
            case "port_mappings": config.portMappings = try list(value, key, portMapping)
            case "labels": config.labels = try stringMap(value, key)
            case "annotations": config.annotations = try stringMap(value, key)
            default: config.linux = try linuxSandbox(value, key)
            }
        }
        guard sawMetadata, !config.metadata.name.isEmpty else { throw fail(node, "metadata.name", "a required field") }
        if config.metadata.namespace.isEmpty { config.metadata.namespace = "default" }
        if config.metadata.uid.isEmpty { throw fail(node, "metadata.uid", "a required field (the pod's UID)") }
        return config
    }

    private func portMapping(_ node: Node, _ path: String) throws -> PortMapping {
        var mapping = PortMapping(containerPort: 0, hostPort: 0)
        for (field, item) in try object(node, path, known: ["protocol", "container_port", "host_port", "host_ip"]) {
            let fieldPath = "\(path).\(field)"
            switch field {
            case "protocol":
                let text = try string(item, fieldPath).lowercased()
                guard let value = PortMapping.TransportProtocol(rawValue: text) else { throw fail(item, fieldPath, "TCP, UDP or SCTP") }
                mapping.transportProtocol = value
            case "container_port", "host_port":
                let port = try int(item, fieldPath)
                guard (0...65535).contains(port) else { throw fail(item, fieldPath, "a port from 0 to 65535") }
                if field == "host_port" { mapping.hostPort = Int32(port) } else { mapping.containerPort = Int32(port) }
            default: mapping.hostIP = try string(item, fieldPath)
            }
        }
        guard mapping.containerPort != 0 else { throw fail(node, "\(path).container_port", "a required port from 1 to 65535") }
        return mapping
    }

    private func linuxSandbox(_ node: Node, _ path: String) throws -> LinuxPodSandboxConfig {
        var linux = LinuxPodSandboxConfig()
        for (field, item) in try object(node, path, known: ["cgroup_parent", "security_context", "sysctls", "resources", "overhead"]) {
            let fieldPath = "\(path).\(field)"
            switch field {
            case "cgroup_parent": linux.cgroupParent = try string(item, fieldPath)
            case "sysctls": linux.sysctls = try stringMap(item, fieldPath)
            case "resources": linux.resources = try resources(item, fieldPath)
            case "overhead": linux.overhead = try resources(item, fieldPath)
            default:
                let known: Set = ["namespace_options", "run_as_user", "run_as_group", "supplemental_groups", "readonly_rootfs", "privileged"]
                for (name, value) in try object(item, fieldPath, known: known) {
                    let valuePath = "\(fieldPath).\(name)"
                    switch name {
                    case "namespace_options": linux.securityContext.namespaceOptions = try namespaceOptions(value, valuePath)
                    case "run_as_user": linux.securityContext.runAsUser = try wrappedInt(value, valuePath)
                    case "run_as_group": linux.securityContext.runAsGroup = try wrappedInt(value, valuePath)
                    case "supplemental_groups": linux.securityContext.supplementalGroups = try list(value, valuePath, int)
                    case "readonly_rootfs": linux.securityContext.readonlyRootfs = try bool(value, valuePath)
                    default: linux.securityContext.privileged = try bool(value, valuePath)
                    }
                }
            }
        }
        return linux
    }

    /// CRI's `Int64Value` message: `{"value": N}` (a bare number is accepted too).
    private func wrappedInt(_ node: Node, _ path: String) throws -> Int64 {
        if node.mapping == nil { return try int(node, path) }
        var result: Int64 = 0
        for (_, item) in try object(node, path, known: ["value"]) { result = try int(item, "\(path).value") }
        return result
    }

    private func namespaceOptions(_ node: Node, _ path: String) throws -> NamespaceOption {
        var options = NamespaceOption()
        for (field, item) in try object(node, path, known: ["network", "pid", "ipc", "target_id"]) {
            let fieldPath = "\(path).\(field)"
            if field == "target_id" { options.targetID = try string(item, fieldPath); continue }
            // protobuf JSON spells enums by name (POD, CONTAINER, NODE, TARGET) or by number.
            let text = try string(item, fieldPath)
            let names: [String: NamespaceOption.Mode] = ["POD": .pod, "0": .pod, "CONTAINER": .container, "1": .container,
                                                         "NODE": .node, "2": .node, "TARGET": .target, "3": .target]
            guard let mode = names[text.uppercased()] else { throw fail(item, fieldPath, "POD, CONTAINER, NODE or TARGET") }
            switch field {
            case "network": options.network = mode
            case "pid": options.pid = mode
            default: options.ipc = mode
            }
        }
        return options
    }

    private func resources(_ node: Node, _ path: String) throws -> LinuxContainerResources {
        var resources = LinuxContainerResources()
        let known: Set = ["cpu_period", "cpu_quota", "cpu_shares", "memory_limit_in_bytes", "oom_score_adj", "cpuset_cpus",
                          "cpuset_mems", "pids_limit", "unified"]
        for (field, item) in try object(node, path, known: known) {
            let fieldPath = "\(path).\(field)"
            switch field {
            case "cpu_period": resources.cpuPeriod = try int(item, fieldPath)
            case "cpu_quota": resources.cpuQuota = try int(item, fieldPath)
            case "cpu_shares": resources.cpuShares = try int(item, fieldPath)
            case "memory_limit_in_bytes": resources.memoryLimitInBytes = try int(item, fieldPath)
            case "oom_score_adj": resources.oomScoreAdj = try int(item, fieldPath)
            case "cpuset_cpus": resources.cpusetCpus = try string(item, fieldPath)
            case "cpuset_mems": resources.cpusetMems = try string(item, fieldPath)
            case "pids_limit": resources.pidsLimit = try int(item, fieldPath)
            default: resources.unified = try stringMap(item, fieldPath)
            }
        }
        return resources
    }

    // MARK: ContainerConfig

    func containerConfig(_ node: Node) throws -> ContainerConfig {
        var config = ContainerConfig(metadata: ContainerMetadata(name: ""), image: ImageSpec(""))
        let known: Set = ["metadata", "image", "command", "args", "working_dir", "envs", "mounts", "labels", "annotations",
                          "log_path", "stdin", "stdin_once", "tty", "linux", "stop_signal"]
        for (key, value) in try object(node, "", known: known) {
            switch key {
            case "metadata":
                for (field, item) in try object(value, key, known: ["name", "attempt"]) {
                    if field == "name" {
                        config.metadata.name = try string(item, "metadata.name")
                    } else {
                        guard let attempt = UInt32(exactly: try int(item, "metadata.attempt")) else {
                            throw fail(item, "metadata.attempt", "a non-negative integer")
                        }
                        config.metadata.attempt = attempt
                    }
                }
            case "image":
                // crictl writes `{"image": "busybox"}`; a bare string is accepted too.
                if value.mapping == nil {
                    config.image = ImageSpec(try string(value, key))
                } else {
                    for (field, item) in try object(value, key, known: ["image", "annotations", "user_specified_image", "runtime_handler"]) {
                        switch field {
                        case "image": config.image.image = try string(item, "image.image")
                        case "annotations": config.image.annotations = try stringMap(item, "image.annotations")
                        default: _ = try string(item, "image.\(field)")
                        }
                    }
                }
            case "command": config.command = try strings(value, key)
            case "args": config.args = try strings(value, key)
            case "working_dir": config.workingDir = try string(value, key)
            case "envs":
                config.envs = try list(value, key) { item, path in
                    var pair = KeyValue("", "")
                    for (field, text) in try object(item, path, known: ["key", "value"]) {
                        if field == "key" { pair.key = try string(text, "\(path).key") } else { pair.value = try string(text, "\(path).value") }
                    }
                    guard !pair.key.isEmpty else { throw fail(item, "\(path).key", "a required, non-empty name") }
                    return pair
                }
            case "mounts": config.mounts = try list(value, key, mount)
            case "labels": config.labels = try stringMap(value, key)
            case "annotations": config.annotations = try stringMap(value, key)
            case "log_path": config.logPath = try string(value, key)
            case "stdin": config.stdin = try bool(value, key)
            case "stdin_once": config.stdinOnce = try bool(value, key)
            case "tty": config.tty = try bool(value, key)
            case "stop_signal": config.stopSignal = try string(value, key)
            default: config.linux = try linuxContainer(value, key)
            }
        }
        guard !config.metadata.name.isEmpty else { throw fail(node, "metadata.name", "a required field") }
        guard !config.image.image.isEmpty else { throw fail(node, "image.image", "a required field (an image reference)") }
        return config
    }

    private func mount(_ node: Node, _ path: String) throws -> Mount {
        var mount = Mount(containerPath: "")
        for (field, item) in try object(node, path, known: ["container_path", "host_path", "readonly", "selinux_relabel", "propagation"]) {
            let fieldPath = "\(path).\(field)"
            switch field {
            case "container_path": mount.containerPath = try string(item, fieldPath)
            case "host_path": mount.hostPath = try string(item, fieldPath)
            case "readonly": mount.readonly = try bool(item, fieldPath)
            case "selinux_relabel": _ = try bool(item, fieldPath)
            default:
                let names: [String: Mount.Propagation] = [
                    "PROPAGATION_PRIVATE": .private, "0": .private, "PROPAGATION_HOST_TO_CONTAINER": .hostToContainer, "1": .hostToContainer,
                    "PROPAGATION_BIDIRECTIONAL": .bidirectional, "2": .bidirectional,
                ]
                guard let propagation = names[try string(item, fieldPath).uppercased()] else {
                    throw fail(item, fieldPath, "PROPAGATION_PRIVATE, PROPAGATION_HOST_TO_CONTAINER or PROPAGATION_BIDIRECTIONAL")
                }
                mount.propagation = propagation
            }
        }
        guard mount.containerPath.hasPrefix("/") else { throw fail(node, "\(path).container_path", "a required absolute path") }
        return mount
    }

    private func linuxContainer(_ node: Node, _ path: String) throws -> LinuxContainerConfig {
        var linux = LinuxContainerConfig()
        for (field, item) in try object(node, path, known: ["resources", "security_context"]) {
            let fieldPath = "\(path).\(field)"
            if field == "resources" { linux.resources = try resources(item, fieldPath); continue }
            let known: Set = ["capabilities", "privileged", "namespace_options", "run_as_user", "run_as_username", "run_as_group",
                              "supplemental_groups", "readonly_rootfs", "no_new_privs", "masked_paths", "readonly_paths"]
            for (name, value) in try object(item, fieldPath, known: known) {
                let valuePath = "\(fieldPath).\(name)"
                switch name {
                case "capabilities":
                    for (kind, list) in try object(value, valuePath, known: ["add_capabilities", "drop_capabilities"]) {
                        let names = try strings(list, "\(valuePath).\(kind)")
                        if kind == "add_capabilities" { linux.securityContext.addCapabilities = names } else { linux.securityContext.dropCapabilities = names }
                    }
                case "privileged": linux.securityContext.privileged = try bool(value, valuePath)
                case "namespace_options": linux.securityContext.namespaceOptions = try namespaceOptions(value, valuePath)
                case "run_as_user": linux.securityContext.runAsUser = try wrappedInt(value, valuePath)
                case "run_as_username": linux.securityContext.runAsUsername = try string(value, valuePath)
                case "run_as_group": linux.securityContext.runAsGroup = try wrappedInt(value, valuePath)
                case "supplemental_groups": linux.securityContext.supplementalGroups = try list(value, valuePath, int)
                case "readonly_rootfs": linux.securityContext.readonlyRootfs = try bool(value, valuePath)
                case "no_new_privs": linux.securityContext.noNewPrivs = try bool(value, valuePath)
                case "masked_paths": linux.securityContext.maskedPaths = try strings(value, valuePath)
                default: linux.securityContext.readonlyPaths = try strings(value, valuePath)
                }
            }
        }
        return linux
    }
}
