import KubeAPI

/// Strategic merge patch for the built-in types served: lists with a patchMergeKey merge element
/// by element (`$patch: delete` removes one, `$patch: replace` replaces the list or an object),
/// `$setElementOrder/<field>` orders the merged list, `$deleteFromPrimitiveList/<field>` removes
/// values from a primitive list that merges; every other list is replaced.
struct StrategicMergePatch {
    var resource: ResourceType

    /// Merge keys by field path (list indices left out), from the types' patchMergeKey tags.
    static let mergeKeys: [String: String] = [
        "metadata.ownerReferences": "uid",
        "spec.containers": "name", "spec.initContainers": "name", "spec.ephemeralContainers": "name",
        "spec.volumes": "name", "spec.containers.ports": "containerPort", "spec.initContainers.ports": "containerPort",
        "spec.containers.env": "name", "spec.initContainers.env": "name",
        "spec.containers.volumeMounts": "mountPath", "spec.initContainers.volumeMounts": "mountPath",
        "spec.containers.volumeDevices": "devicePath", "spec.imagePullSecrets": "name",
        "spec.hostAliases": "ip", "spec.resourceClaims": "name", "spec.schedulingGates": "name",
        "status.conditions": "type", "status.containerStatuses": "name", "status.initContainerStatuses": "name",
        "status.ephemeralContainerStatuses": "name", "status.podIPs": "ip", "status.hostIPs": "ip",
        "status.addresses": "type", "status.volumesAttached": "name", "spec.taints": "key",
        "spec.ports": "port", "secrets": "name", "imagePullSecrets": "name",
    ]

    /// Primitive lists that merge (set union) instead of being replaced.
    static let mergingPrimitiveLists: Set<String> = ["metadata.finalizers", "spec.podCIDRs"]

    func apply(_ patch: JSONValue, to original: JSONValue, path: [String]) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        if patchObject["$patch"]?.stringValue == "replace" { return Self.stripped(patch) }
        var result = original.objectValue ?? JSONObject()
        for (key, value) in patchObject.members where !key.hasPrefix("$") {
            let childPath = path + [key]
            let joined = childPath.joined(separator: ".")
            if value.isNull {
                result[key] = nil
            } else if case .object = value {
                if value["$patch"]?.stringValue == "delete" {
                    result[key] = nil
                } else {
                    result[key] = apply(value, to: result[key] ?? .null, path: childPath)
                }
            } else if case .array(let items) = value {
                if let mergeKey = Self.mergeKeys[joined] {
                    result[key] = mergeList(result[key]?.arrayValue.map(Array.init) ?? [], Array(items), key: mergeKey, path: childPath)
                } else if Self.mergingPrimitiveLists.contains(joined) {
                    var merged = result[key]?.arrayValue.map(Array.init) ?? []
                    for item in items where !merged.contains(item) { merged.append(item) }
                    result[key] = .array(JSONArray(merged))
                } else {
                    result[key] = .array(JSONArray(items.map(Self.stripped)))
                }
            } else {
                result[key] = value
            }
        }
        for (key, value) in patchObject.members {
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = value.arrayValue.map(Array.init) ?? []
                if let list = result[field]?.arrayValue {
                    result[field] = .array(JSONArray(list.filter { !remove.contains($0) }))
                }
            }
        }
        for (key, value) in patchObject.members where key.hasPrefix("$setElementOrder/") {
            let field = String(key.dropFirst("$setElementOrder/".count))
            guard let list = result[field]?.arrayValue, let order = value.arrayValue else { continue }
            let mergeKey = Self.mergeKeys[(path + [field]).joined(separator: ".")]
            result[field] = .array(JSONArray(Self.ordered(Array(list), by: Array(order), mergeKey: mergeKey)))
        }
        return .object(result)
    }

    private func mergeList(_ original: [JSONValue], _ patch: [JSONValue], key: String, path: [String]) -> JSONValue {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(JSONArray(patch.filter { $0["$patch"] == nil }.map(Self.stripped)))
        }
        var result = original
        for item in patch {
            guard case .object = item else {
                if !result.contains(item) { result.append(item) }
                continue
            }
            let identity = item[key]
            if item["$patch"]?.stringValue == "delete" {
                result.removeAll { $0[key] == identity }
            } else if let index = result.firstIndex(where: { $0[key] == identity && identity != nil }) {
                result[index] = apply(item, to: result[index], path: path)
            } else {
                result.append(apply(item, to: .object(JSONObject()), path: path))
            }
        }
        return .array(JSONArray(result))
    }

    /// `list` ordered as `order` says (elements named there first, in its order, then the rest
    /// as they stood).
    static func ordered(_ list: [JSONValue], by order: [JSONValue], mergeKey: String?) -> [JSONValue] {
        func identity(_ value: JSONValue) -> JSONValue? { mergeKey.map { value[$0] ?? .null } ?? value }
        var remaining = list
        var result: [JSONValue] = []
        for entry in order {
            let wanted = mergeKey.map { entry[$0] ?? .null } ?? entry
            if let index = remaining.firstIndex(where: { identity($0) == wanted }) {
                result.append(remaining.remove(at: index))
            }
        }
        return result + remaining
    }

    /// The value without `$`-directives, at any depth.
    static func stripped(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result = JSONObject()
            for (key, member) in object.members where !key.hasPrefix("$") { result.append(key, stripped(member)) }
            return .object(result)
        case .array(let array):
            return .array(JSONArray(array.map(stripped)))
        default:
            return value
        }
    }
}
