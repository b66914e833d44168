import KubeAPI

/// The patch formats PATCH accepts, by Content-Type.
enum PatchType: String, Sendable {
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
    case strategic = "application/strategic-merge-patch+json"
}

/// RFC 7386 JSON merge patch and RFC 6902 JSON patch.
enum Patch {
    /// Applies `patch` (of `type`) to `target`; strategic merge uses `resource`'s merge keys.
    static func apply(_ type: PatchType, _ patch: JSONValue, to target: JSONValue, resource: ResourceType) throws(APIError)
        -> JSONValue
    {
        switch type {
        case .merge:
            guard case .object = patch else { throw APIError.badRequest("merge patch must be a JSON object") }
            return merge(target, patch)
        case .json:
            guard case .array(let operations) = patch else {
                throw APIError.badRequest("json patch must be a JSON array of operations")
            }
            return try jsonPatch(target, Array(operations))
        case .strategic:
            guard case .object = patch else { throw APIError.badRequest("strategic merge patch must be a JSON object") }
            return StrategicMergePatch(resource: resource).apply(patch, to: target, path: [])
        }
    }

    /// RFC 7386: objects merge member by member, null removes, anything else replaces.
    static func merge(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, value) in members.members {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = merge(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }

    // MARK: RFC 6902

    static func jsonPatch(_ target: JSONValue, _ operations: [JSONValue]) throws(APIError) -> JSONValue {
        var document = target
        for (index, operation) in operations.enumerated() {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw APIError.badRequest("json patch operation \(index): needs string members op and path")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                document = try add(document, pointer, try required(operation, "value", index))
            case "remove":
                document = try remove(document, pointer)
            case "replace":
                _ = try lookup(document, pointer)
                document = try add(try remove(document, pointer), pointer, try required(operation, "value", index))
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else {
                    throw APIError.badRequest("json patch operation \(index): \(op) needs from")
                }
                let source = try parsePointer(from)
                let value = try lookup(document, source)
                if op == "move" { document = try remove(document, source) }
                document = try add(document, pointer, value)
            case "test":
                let expected = try required(operation, "value", index)
                guard try lookup(document, pointer) == expected else {
                    throw APIError(
                        code: 422, reason: "Invalid",
                        message: "the server rejected our request due to an error in our request: testing value \(path) failed")
                }
            default:
                throw APIError.badRequest("json patch operation \(index): unknown op \"\(op)\"")
            }
        }
        return document
    }

    private static func required(_ operation: JSONValue, _ key: String, _ index: Int) throws(APIError) -> JSONValue {
        guard let value = operation[key] else {
            throw APIError.badRequest("json patch operation \(index): missing \(key)")
        }
        return value
    }

    static func parsePointer(_ text: String) throws(APIError) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw APIError.badRequest("json patch path \"\(text)\" must start with /") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func lookup(_ document: JSONValue, _ pointer: [String]) throws(APIError) -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw missing(pointer) }
                current = next
            case .array(let array):
                guard let index = Int(token), array.indices.contains(index) else { throw missing(pointer) }
                current = array[index]
            default: throw missing(pointer)
            }
        }
        return current
    }

    private static func missing(_ pointer: [String]) -> APIError {
        APIError(
            code: 422, reason: "Invalid",
            message: "the server rejected our request due to an error in our request: doc is missing path: /\(pointer.joined(separator: "/"))")
    }

    private static func add(_ document: JSONValue, _ pointer: [String], _ value: JSONValue) throws(APIError) -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var object):
            if rest.isEmpty {
                object[token] = value
            } else {
                guard let child = object[token] else { throw missing(pointer) }
                object[token] = try add(child, rest, value)
            }
            return .object(object)
        case .array(let array):
            var elements = array.elements
            if rest.isEmpty {
                if token == "-" {
                    elements.append(value)
                } else {
                    guard let index = Int(token), index >= 0, index <= elements.count else { throw missing(pointer) }
                    elements.insert(value, at: index)
                }
            } else {
                guard let index = Int(token), elements.indices.contains(index) else { throw missing(pointer) }
                elements[index] = try add(elements[index], rest, value)
            }
            return .array(JSONArray(elements))
        default:
            throw missing(pointer)
        }
    }

    private static func remove(_ document: JSONValue, _ pointer: [String]) throws(APIError) -> JSONValue {
        guard let token = pointer.first else { throw missing(pointer) }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var object):
            guard let child = object[token] else { throw missing(pointer) }
            object[token] = rest.isEmpty ? nil : try remove(child, rest)
            return .object(object)
        case .array(let array):
            var elements = array.elements
            guard let index = Int(token), elements.indices.contains(index) else { throw missing(pointer) }
            if rest.isEmpty { elements.remove(at: index) } else { elements[index] = try remove(elements[index], rest) }
            return .array(JSONArray(elements))
        default:
            throw missing(pointer)
        }
    }
}
