// Container checks: names, images, ports, env, mounts, resources, probes and the rules that
// differ between regular, init (including sidecar) and ephemeral containers.

extension PodValidation {
    static func validateContainers(
        _ containers: [CoreV1.Container], volumes: Set<String>, gracePeriod: Int64, at path: FieldPath
    ) -> [ValidationError] {
        if containers.isEmpty { return [.required(path, "")] }
        var problems: [ValidationError] = []
        var names = Set<String>()
        for (index, container) in containers.enumerated() {
            let itemPath = path.index(index)
            problems += validateContainerCommon(container, volumes: volumes, at: itemPath)
            if !names.insert(container.name).inserted {
                problems.append(.duplicate(itemPath.child("name"), .string(container.name)))
            }
            problems += validateLifecycle(container.lifecycle, gracePeriod: gracePeriod, at: itemPath.child("lifecycle"))
            problems += validateProbe(container.livenessProbe, kind: .liveness, at: itemPath.child("livenessProbe"))
            problems += validateProbe(container.readinessProbe, kind: .readiness, at: itemPath.child("readinessProbe"))
            problems += validateProbe(container.startupProbe, kind: .startup, at: itemPath.child("startupProbe"))
            if container.restartPolicy != nil {
                problems.append(.forbidden(itemPath.child("restartPolicy"), "may not be set for non-init containers"))
            }
        }
        problems += validateUniqueHostPorts(containers, at: path)
        return problems
    }

    static func validateInitContainers(
        _ containers: [CoreV1.Container], regular: [CoreV1.Container], volumes: Set<String>, gracePeriod: Int64,
        at path: FieldPath
    ) -> [ValidationError] {
        var problems: [ValidationError] = []
        var names = Set(regular.map(\.name))
        let forbiddenDetail = "may not be set for init containers without restartPolicy=Always"
        for (index, container) in containers.enumerated() {
            let itemPath = path.index(index)
            problems += validateContainerCommon(container, volumes: volumes, at: itemPath)
            var isSidecar = false
            if let policy = container.restartPolicy {
                if policy == "Always" {
                    isSidecar = true
                } else {
                    problems.append(.notSupported(itemPath.child("restartPolicy"), .string(policy), supported: ["Always"]))
                }
            }
            if names.contains(container.name) {
                problems.append(.duplicate(itemPath.child("name"), .string(container.name)))
            } else if !container.name.isEmpty {
                names.insert(container.name)
            }
            // Init containers run one at a time, so each one's host ports only need to be unique within it.
            problems += validateUniqueHostPorts([container], at: path)
            if isSidecar {
                problems += validateLifecycle(container.lifecycle, gracePeriod: gracePeriod, at: itemPath.child("lifecycle"))
                problems += validateProbe(container.livenessProbe, kind: .liveness, at: itemPath.child("livenessProbe"))
                problems += validateProbe(container.readinessProbe, kind: .readiness, at: itemPath.child("readinessProbe"))
                problems += validateProbe(container.startupProbe, kind: .startup, at: itemPath.child("startupProbe"))
            } else {
                let optional: [(String, Bool)] = [
                    ("lifecycle", container.lifecycle != nil),
                    ("livenessProbe", container.livenessProbe != nil),
                    ("readinessProbe", container.readinessProbe != nil),
                    ("startupProbe", container.startupProbe != nil),
                ]
                for (field, isSet) in optional where isSet {
                    problems.append(.forbidden(itemPath.child(field), forbiddenDetail))
                }
            }
        }
        return problems
    }

    static func validateEphemeralContainers(
        _ containers: [CoreV1.EphemeralContainer], regular: [CoreV1.Container], initContainers: [CoreV1.Container],
        volumes: Set<String>, at path: FieldPath
    ) -> [ValidationError] {
        var problems: [ValidationError] = []
        var names = Set(regular.map(\.name)).union(initContainers.map(\.name))
        let targets = names
        let detail = "cannot be set for an Ephemeral Container"
        for (index, container) in containers.enumerated() {
            let itemPath = path.index(index)
            problems += validateContainerCommon(container, volumes: volumes, at: itemPath)
            if names.contains(container.name) {
                problems.append(.duplicate(itemPath.child("name"), .string(container.name)))
            } else {
                names.insert(container.name)
            }
            if let target = container.targetContainerName, !target.isEmpty, !targets.contains(target) {
                problems.append(.notFound(itemPath.child("targetContainerName"), .string(target)))
            }
            let disallowed: [(String, Bool)] = [
                ("lifecycle", container.lifecycle != nil),
                ("livenessProbe", container.livenessProbe != nil),
                ("ports", !(container.ports ?? []).isEmpty),
                ("readinessProbe", container.readinessProbe != nil),
                ("resources", !(container.resources?.limits ?? [:]).isEmpty || !(container.resources?.requests ?? [:]).isEmpty),
                ("startupProbe", container.startupProbe != nil),
            ]
            for (field, isSet) in disallowed where isSet {
                problems.append(.forbidden(itemPath.child(field), detail))
            }
        }
        return problems
    }

    static func validateContainerCommon(_ container: some ContainerFields, volumes: Set<String>, at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        if container.name.isEmpty {
            problems.append(.required(path.child("name"), ""))
        } else {
            problems += NameValidation.dns1123Label(container.name).map { .invalid(path.child("name"), .string(container.name), $0) }
        }
        if (container.image ?? "").isEmpty {
            problems.append(.required(path.child("image"), ""))
        }
        if let policy = container.terminationMessagePolicy, !policy.isEmpty, !terminationMessagePolicies.contains(policy) {
            problems.append(.notSupported(path.child("terminationMessagePolicy"), .string(policy), supported: terminationMessagePolicies))
        }
        if let policy = container.imagePullPolicy, !policy.isEmpty, !pullPolicies.contains(policy) {
            problems.append(.notSupported(path.child("imagePullPolicy"), .string(policy), supported: pullPolicies))
        }
        problems += validateContainerPorts(container.ports ?? [], at: path.child("ports"))
        problems += validateEnv(container.env ?? [], at: path.child("env"))
        problems += validateEnvFrom(container.envFrom ?? [], at: path.child("envFrom"))
        problems += validateVolumeMounts(container.volumeMounts ?? [], volumes: volumes, at: path.child("volumeMounts"))
        problems += validateResources(container.resources, at: path.child("resources"))
        return problems
    }

    static func validateContainerPorts(_ ports: [CoreV1.ContainerPort], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        var names = Set<String>()
        for (index, port) in ports.enumerated() {
            let itemPath = path.index(index)
            if let name = port.name, !name.isEmpty {
                let messages = NameValidation.portName(name)
                if !messages.isEmpty {
                    problems += messages.map { .invalid(itemPath.child("name"), .string(name), $0) }
                } else if !names.insert(name).inserted {
                    problems.append(.duplicate(itemPath.child("name"), .string(name)))
                }
            }
            if port.containerPort == 0 {
                problems.append(.required(itemPath.child("containerPort"), ""))
            } else {
                problems += NameValidation.portNumber(Int(port.containerPort))
                    .map { .invalid(itemPath.child("containerPort"), .integer(Int64(port.containerPort)), $0) }
            }
            if let hostPort = port.hostPort, hostPort != 0 {
                problems += NameValidation.portNumber(Int(hostPort))
                    .map { .invalid(itemPath.child("hostPort"), .integer(Int64(hostPort)), $0) }
            }
            if let proto = port.protocol, !proto.isEmpty, !protocols.contains(proto) {
                problems.append(.notSupported(itemPath.child("protocol"), .string(proto), supported: protocols))
            }
        }
        return problems
    }

    /// Two ports of the same host IP and protocol may not claim one host port.
    static func validateUniqueHostPorts(_ containers: [CoreV1.Container], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        var seen = Set<String>()
        for (containerIndex, container) in containers.enumerated() {
            for (portIndex, port) in (container.ports ?? []).enumerated() {
                guard let hostPort = port.hostPort, hostPort != 0 else { continue }
                let key = "\(port.hostIP ?? "")/\(port.protocol ?? "TCP")/\(hostPort)"
                if !seen.insert(key).inserted {
                    problems.append(.duplicate(path.index(containerIndex).child("ports").index(portIndex).child("hostPort"), .string(key)))
                }
            }
        }
        return problems
    }

    static func validateEnv(_ variables: [CoreV1.EnvVar], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        for (index, variable) in variables.enumerated() {
            let itemPath = path.index(index)
            if variable.name.isEmpty { problems.append(.required(itemPath.child("name"), "")) }
            problems += NameValidation.environmentVariableName(variable.name)
                .map { .invalid(itemPath.child("name"), .string(variable.name), $0) }
            guard let source = variable.valueFrom else { continue }
            let sourcePath = itemPath.child("valueFrom")
            let count = [source.fieldRef != nil, source.resourceFieldRef != nil, source.configMapKeyRef != nil,
                         source.secretKeyRef != nil, source.fileKeyRef != nil].filter { $0 }.count
            if count == 0 {
                problems.append(.invalid(sourcePath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
            } else if !(variable.value ?? "").isEmpty {
                problems.append(.invalid(sourcePath, "", "may not be specified when `value` is not empty"))
            } else if count > 1 {
                problems.append(.invalid(sourcePath, "", "may not have more than one field specified at a time"))
            }
            if let selector = source.configMapKeyRef {
                problems += validateKeySelector(name: selector.name, key: selector.key, at: sourcePath.child("configMapKeyRef"))
            }
            if let selector = source.secretKeyRef {
                problems += validateKeySelector(name: selector.name, key: selector.key, at: sourcePath.child("secretKeyRef"))
            }
        }
        return problems
    }

    static func validateKeySelector(name: String?, key: String, at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        let name = name ?? ""
        problems += NameValidation.dns1123Subdomain(name).map { .invalid(path.child("name"), .string(name), $0) }
        if key.isEmpty {
            problems.append(.required(path.child("key"), ""))
        } else {
            problems += NameValidation.configMapKey(key).map { .invalid(path.child("key"), .string(key), $0) }
        }
        return problems
    }

    static func validateEnvFrom(_ sources: [CoreV1.EnvFromSource], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        for (index, source) in sources.enumerated() {
            let itemPath = path.index(index)
            if let prefix = source.prefix, !prefix.isEmpty {
                problems += NameValidation.environmentVariableName(prefix).map { .invalid(itemPath.child("prefix"), .string(prefix), $0) }
            }
            var count = 0
            for (field, name) in [("configMapRef", source.configMapRef.map { $0.name ?? "" }),
                                  ("secretRef", source.secretRef.map { $0.name ?? "" })] {
                guard let name else { continue }
                count += 1
                if name.isEmpty {
                    problems.append(.required(itemPath.child(field).child("name"), ""))
                } else {
                    problems += NameValidation.dns1123Subdomain(name).map { .invalid(itemPath.child(field).child("name"), .string(name), $0) }
                }
            }
            if count == 0 {
                problems.append(.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
            } else if count > 1 {
                problems.append(.invalid(path, "", "may not have more than one field specified at a time"))
            }
        }
        return problems
    }

    static func validateVolumeMounts(_ mounts: [CoreV1.VolumeMount], volumes: Set<String>, at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        var mountPoints = Set<String>()
        for (index, mount) in mounts.enumerated() {
            let itemPath = path.index(index)
            if mount.name.isEmpty { problems.append(.required(itemPath.child("name"), "")) }
            if !volumes.contains(mount.name) { problems.append(.notFound(itemPath.child("name"), .string(mount.name))) }
            if mount.mountPath.isEmpty { problems.append(.required(itemPath.child("mountPath"), "")) }
            if !mountPoints.insert(mount.mountPath).inserted {
                problems.append(.invalid(itemPath.child("mountPath"), .string(mount.mountPath), "must be unique"))
            }
            // Upstream reports sub-path problems at `volumeMounts.subPath`, without the index.
            if let subPath = mount.subPath, !subPath.isEmpty {
                problems += validateLocalDescendingPath(subPath, at: path.child("subPath"))
            }
            if let expression = mount.subPathExpr, !expression.isEmpty {
                if let subPath = mount.subPath, !subPath.isEmpty {
                    problems.append(.invalid(itemPath.child("subPathExpr"), .string(expression), "subPathExpr and subPath are mutually exclusive"))
                }
                problems += validateLocalDescendingPath(expression, at: path.child("subPathExpr"))
            }
            if let propagation = mount.mountPropagation,
               !["None", "HostToContainer", "Bidirectional"].contains(propagation) {
                problems.append(.notSupported(itemPath.child("mountPropagation"), .string(propagation),
                                              supported: ["Bidirectional", "HostToContainer", "None"]))
            }
        }
        return problems
    }

    static func validateLocalDescendingPath(_ path: String, at fieldPath: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        if path.hasPrefix("/") {
            problems.append(.invalid(fieldPath, .string(path), "must be a relative path"))
        }
        problems += validatePathNoBacksteps(path, at: fieldPath)
        return problems
    }

    static func validatePathNoBacksteps(_ path: String, at fieldPath: FieldPath) -> [ValidationError] {
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return [.invalid(fieldPath, .string(path), "must not contain '..'")]
        }
        return []
    }
}
