import KubeAPI

/// Two-way strategic merge patches between two encodings of an object, as upstream's
/// `strategicpatch.CreateTwoWayMergePatch` makes them for the kubelet's node status writes: maps
/// carry only changed keys (removed ones as `null`); lists with a merge key carry only changed
/// elements (with their key), removed ones as `{"$patch": "delete"}`, and the new order in
/// `$setElementOrder/<field>`; other lists are replaced whole.
public struct StrategicMergePatch: Sendable {
    /// Field paths (dot-joined from the object's root) of lists merged by a key → the key.
    public var mergeKeys: [String: String]

    /// The merge keys of `core/v1` Node that the kubelet's writes touch.
    public static let node = StrategicMergePatch(mergeKeys: [
        "status.conditions": "type",
        "status.addresses": "type",
        "metadata.ownerReferences": "uid",
    ])

    /// The merge keys of `core/v1` Event (none of the fields the kubelet patches are lists).
    public static let event = StrategicMergePatch(mergeKeys: [:])

    /// Creates a patch maker with the given merge keys.
    public init(mergeKeys: [String: String]) { self.mergeKeys = mergeKeys }

    /// The patch that turns `original` into `modified` (an empty object when they are equal).
    public func twoWay(original: JSONValue, modified: JSONValue) -> JSONValue {
        .object(diffObject(original.objectValue ?? JSONObject(), modified.objectValue ?? JSONObject(), path: ""))
    }

    private func diffObject(_ original: JSONObject, _ modified: JSONObject, path: String) -> JSONObject {
        var patch = JSONObject()
        for (key, value) in modified.members {
            let fieldPath = path.isEmpty ? key : path + "." + key
            guard let old = original[key] else {
                patch.append(key, value)
                continue
            }
            if old == value { continue }
            switch (old, value) {
            case (.object(let oldObject), .object(let newObject)):
                let inner = diffObject(oldObject, newObject, path: fieldPath)
                if !inner.isEmpty { patch.append(key, .object(inner)) }
            case (.array(let oldArray), .array(let newArray)):
                if let mergeKey = mergeKeys[fieldPath],
                    let (list, order) = diffMergeList(Array(oldArray), Array(newArray), key: mergeKey, path: fieldPath)
                {
                    patch.append("$setElementOrder/" + key, .array(JSONArray(order)))
                    if !list.isEmpty { patch.append(key, .array(JSONArray(list))) }
                } else {
                    patch.append(key, value)
                }
            default:
                patch.append(key, value)
            }
        }
        for (key, _) in original.members where modified[key] == nil {
            patch.append(key, .null)
        }
        return patch
    }

    /// The changed elements and the new order; nil when the key is missing or repeated, so the
    /// list is replaced whole.
    private func diffMergeList(_ original: [JSONValue], _ modified: [JSONValue], key: String, path: String) -> ([JSONValue], [JSONValue])? {
        func keyed(_ list: [JSONValue]) -> [String: JSONObject]? {
            var byKey: [String: JSONObject] = [:]
            for element in list {
                guard let object = element.objectValue, let name = object[key]?.stringValue, byKey[name] == nil else { return nil }
                byKey[name] = object
            }
            return byKey
        }
        guard let old = keyed(original), keyed(modified) != nil else { return nil }
        var changes: [JSONValue] = []
        var order: [JSONValue] = []
        var kept = Set<String>()
        for element in modified {
            guard let object = element.objectValue, let name = object[key]?.stringValue else { continue }
            kept.insert(name)
            order.append(.object([key: .string(name)]))
            guard let previous = old[name] else {
                changes.append(element)
                continue
            }
            var inner = diffObject(previous, object, path: path)
            if inner.isEmpty { continue }
            if inner[key] == nil { inner.append(key, .string(name)) }
            changes.append(.object(inner))
        }
        for element in original {
            guard let name = element.objectValue?[key]?.stringValue, !kept.contains(name) else { continue }
            changes.append(.object(["$patch": .string("delete"), key: .string(name)]))
        }
        return (changes, order)
    }
}
