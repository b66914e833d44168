// Service checks as upstream's ValidateService does them for what the proxy consumes: names,
// type, ports, selector and session affinity.

/// Validation of Services, with upstream's field paths and messages.
public enum ServiceValidation {
    /// Service types, sorted as upstream lists them.
    public static let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    /// Session affinities.
    public static let sessionAffinities = ["ClientIP", "None"]
    /// The longest ClientIP affinity timeout (one day).
    public static let maxClientIPAffinitySeconds: Int32 = 86_400

    /// Every problem with `service`, or an empty list when it is valid. Absent fields stand for
    /// their defaults (type ClusterIP, protocol TCP, targetPort = port).
    public static func validate(_ service: CoreV1.Service) -> [ValidationError] {
        var problems = MetadataValidation.validateObjectMeta(
            service.metadata, requiresNamespace: true, nameRule: NameValidation.dns1035Label, at: FieldPath("metadata"))
        let spec = service.spec ?? CoreV1.ServiceSpec()
        let specPath = FieldPath("spec")
        let type = spec.type.flatMap { $0.isEmpty ? nil : $0 } ?? "ClusterIP"
        if !types.contains(type) {
            problems.append(.notSupported(specPath.child("type"), .string(type), supported: types))
        }
        let ports = spec.ports ?? []
        let isHeadless = spec.clusterIP == "None"
        if ports.isEmpty && !isHeadless && type != "ExternalName" {
            problems.append(.required(specPath.child("ports"), ""))
        }
        if type == "ExternalName" {
            let name = spec.externalName ?? ""
            if name.isEmpty {
                problems.append(.required(specPath.child("externalName"), ""))
            } else {
                let clean = name.hasSuffix(".") ? String(name.dropLast()) : name
                problems += NameValidation.dns1123Subdomain(clean).map { .invalid(specPath.child("externalName"), .string(name), $0) }
            }
        }

        var names = Set<String>()
        var portKeys = Set<String>()
        let portsPath = specPath.child("ports")
        for (index, port) in ports.enumerated() {
            let portPath = portsPath.index(index)
            let name = port.name ?? ""
            if ports.count > 1 && name.isEmpty {
                problems.append(.required(portPath.child("name"), ""))
            } else if !name.isEmpty {
                problems += NameValidation.dns1123Label(name).map { .invalid(portPath.child("name"), .string(name), $0) }
                if !names.insert(name).inserted {
                    problems.append(.duplicate(portPath.child("name"), .string(name)))
                }
            }
            problems += NameValidation.portNumber(Int(port.port)).map { .invalid(portPath.child("port"), .integer(Int64(port.port)), $0) }
            let proto = port.protocol.flatMap { $0.isEmpty ? nil : $0 } ?? "TCP"
            if !PodValidation.protocols.contains(proto) {
                problems.append(.notSupported(portPath.child("protocol"), .string(proto), supported: PodValidation.protocols))
            }
            if let target = port.targetPort, target != .int(0), target != .string("") {
                problems += PodValidation.validatePortNumberOrName(target, at: portPath.child("targetPort"))
            }
            if let nodePort = port.nodePort, nodePort != 0 {
                if type == "ClusterIP" {
                    problems.append(.forbidden(portPath.child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
                }
                problems += NameValidation.portNumber(Int(nodePort)).map { .invalid(portPath.child("nodePort"), .integer(Int64(nodePort)), $0) }
            }
            let key = "\(proto)/\(port.port)"
            if !portKeys.insert(key).inserted {
                problems.append(.duplicate(portPath, .string(key)))
            }
        }

        problems += MetadataValidation.validateLabels(spec.selector ?? [:], at: specPath.child("selector"))
        if let affinity = spec.sessionAffinity, !affinity.isEmpty {
            if !sessionAffinities.contains(affinity) {
                problems.append(.notSupported(specPath.child("sessionAffinity"), .string(affinity), supported: sessionAffinities))
            } else if affinity == "ClientIP", let timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds,
                      timeout <= 0 || timeout > maxClientIPAffinitySeconds {
                problems.append(.invalid(
                    specPath.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds"), .integer(Int64(timeout)),
                    "must be greater than 0 and less than \(maxClientIPAffinitySeconds)"))
            }
        }
        return problems
    }
}
