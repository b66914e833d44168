import KubeAPI

/// A container's environment, command and args as the kubelet hands them to the runtime: built
/// from `envFrom`, `env` (values, `configMapKeyRef`, `secretKeyRef`, `fieldRef`,
/// `resourceFieldRef`) and the service variables, with `$(VAR)` references expanded, as
/// upstream's `makeEnvironmentVariables` and `ExpandContainerCommandAndArgs` do.
///
/// The runtime merges the result with the image config: the image's env comes first and is
/// overridden by these; `command` replaces the image Entrypoint (and drops its Cmd), `args`
/// replaces the Cmd.
public struct ContainerEnvironment: Sendable, Equatable {
    /// One variable.
    public struct Variable: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The variables, in the order they were first defined (envFrom sources, then env, then
    /// service variables); a later definition of a name replaces the value in place.
    public var variables: [Variable]
    /// `command` with references expanded (empty: the image's Entrypoint).
    public var command: [String]
    /// `args` with references expanded (empty: the image's Cmd, unless `command` is set).
    public var args: [String]
    /// `envFrom` keys (with their prefix) that were skipped because they are not valid variable
    /// names. Upstream records a Warning event `InvalidEnvironmentVariableNames` for them:
    /// `Keys [a, b] from the EnvFrom configMap ns/name were skipped since they are considered
    /// invalid environment variable names.`
    public var skippedKeys: [String]

    /// The variables as a dictionary.
    public var dictionary: [String: String] {
        Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// Builds the environment of `container` in `pod`.
    ///
    /// - Parameters:
    ///   - fields: the pod, its IPs and the node's allocatable resources, for `fieldRef` and
    ///     `resourceFieldRef`.
    ///   - objects: where referenced ConfigMaps and Secrets are found.
    ///   - serviceVariables: the Service link variables (`FOO_SERVICE_HOST` …), added for names
    ///     not otherwise defined.
    /// - Throws: `EnvironmentError` with upstream's message (the container's
    ///   `CreateContainerConfigError`) for a missing, non-optional ConfigMap, Secret or key, or
    ///   an unsupported field path or resource.
    public static func build(
        container: CoreV1.Container, fields: PodFieldValues, objects: any ConfigObjectLookup,
        serviceVariables: [String: String] = [:]
    ) async throws(EnvironmentError) -> ContainerEnvironment {
        let namespace = fields.pod.metadata?.namespace ?? "default"
        var table = OrderedVariables()
        var skipped: [String] = []

        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            var payload: [String: [UInt8]] = [:]
            if let reference = source.configMapRef {
                let name = reference.name ?? ""
                guard let configMap = try await lookup({ try await objects.configMap(namespace: namespace, name: name) }) else {
                    if reference.optional == true { continue }
                    throw .configMapNotFound(namespace: namespace, name: name)
                }
                // Only `data`: binaryData keys never become variables upstream.
                payload = (configMap.data ?? [:]).mapValues { Array($0.utf8) }
            } else if let reference = source.secretRef {
                let name = reference.name ?? ""
                guard let secret = try await lookup({ try await objects.secret(namespace: namespace, name: name) }) else {
                    if reference.optional == true { continue }
                    throw .secretNotFound(namespace: namespace, name: name)
                }
                payload = try ConfigObjectPayload.bytes(of: secret)
            }
            for key in payload.keys.sorted() {
                let name = prefix + key
                guard Self.isValidVariableName(name) else {
                    skipped.append(name)
                    continue
                }
                table.set(name, String(decoding: payload[key] ?? [], as: UTF8.self))
            }
        }

        for variable in container.env ?? [] {
            var value = variable.value ?? ""
            if !value.isEmpty {
                let defined = table.values
                value = VariableExpansion.expand(value, using: defined, serviceVariables)
            } else if let source = variable.valueFrom {
                if let fieldRef = source.fieldRef {
                    value = try fields.fieldValue(fieldRef.fieldPath)
                } else if let resourceRef = source.resourceFieldRef {
                    value = try fields.resourceValue(resourceRef, defaultContainer: container)
                } else if let keyRef = source.configMapKeyRef {
                    let name = keyRef.name ?? ""
                    let optional = keyRef.optional == true
                    guard let configMap = try await lookup({ try await objects.configMap(namespace: namespace, name: name) }) else {
                        if optional { continue }
                        throw .configMapNotFound(namespace: namespace, name: name)
                    }
                    guard let text = configMap.data?[keyRef.key] else {
                        if optional { continue }
                        throw .configMapKeyNotFound(namespace: namespace, name: name, key: keyRef.key)
                    }
                    value = text
                } else if let keyRef = source.secretKeyRef {
                    let name = keyRef.name ?? ""
                    let optional = keyRef.optional == true
                    guard let secret = try await lookup({ try await objects.secret(namespace: namespace, name: name) }) else {
                        if optional { continue }
                        throw .secretNotFound(namespace: namespace, name: name)
                    }
                    guard let bytes = try ConfigObjectPayload.bytes(of: secret)[keyRef.key] else {
                        if optional { continue }
                        throw .secretKeyNotFound(namespace: namespace, name: name, key: keyRef.key)
                    }
                    value = String(decoding: bytes, as: UTF8.self)
                }
            }
            table.set(variable.name, value)
        }

        for name in serviceVariables.keys.sorted() where table.values[name] == nil {
            table.set(name, serviceVariables[name] ?? "")
        }

        let defined = table.values
        return ContainerEnvironment(
            variables: table.ordered,
            command: (container.command ?? []).map { VariableExpansion.expand($0, using: defined) },
            args: (container.args ?? []).map { VariableExpansion.expand($0, using: defined) },
            skippedKeys: skipped)
    }

    /// Whether `name` may be an environment variable name: printable ASCII except `=`, not
    /// empty (upstream's relaxed rule).
    public static func isValidVariableName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "=") }
    }

    private static func lookup<T>(_ body: () async throws -> T?) async throws(EnvironmentError) -> T? {
        do {
            return try await body()
        } catch let error as EnvironmentError {
            throw error
        } catch {
            throw .lookupFailed(String(describing: error))
        }
    }
}

/// Variables in first-definition order with their latest values.
private struct OrderedVariables {
    private(set) var values: [String: String] = [:]
    private var order: [String] = []

    mutating func set(_ name: String, _ value: String) {
        if values.updateValue(value, forKey: name) == nil { order.append(name) }
    }

    var ordered: [ContainerEnvironment.Variable] {
        order.map { ContainerEnvironment.Variable(name: $0, value: values[$0] ?? "") }
    }
}
