import Foundation
import KubeAPI

/// DeleteOptions as the server honours them.
struct DeleteOptions: Sendable {
    var gracePeriodSeconds: Int64?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    var dryRun = false
}

/// A page of a list.
struct ListPage: Sendable {
    var items: [JSONValue]
    var resourceVersion: Int64
    var continueToken: String?
    var remainingItemCount: Int64?
}

/// The outcome of a delete: the object as it now stands, and whether it is gone.
struct DeleteOutcome: Sendable {
    var object: JSONValue
    var deleted: Bool
}

extension StoreState {
    /// Creates an object as POST does: name from generateName, uid, creationTimestamp, defaults.
    mutating func create(
        _ resource: ResourceType, namespace: String?, _ body: JSONValue, now: Date = Date()
    ) throws(APIError) -> JSONValue {
        var object = try Self.checkedBody(body, resource)
        var name = object.metadataString("name") ?? ""
        if name.isEmpty {
            guard let prefix = object.metadataString("generateName"), !prefix.isEmpty else {
                throw APIError.invalid(
                    resource, "", field: "metadata.name", "Required value: name or generateName is required")
            }
            repeat { name = prefix + Self.randomSuffix() } while self.object(resource, ObjectKey(namespace: namespace ?? "", name: name)) != nil
        }
        let key = try Self.key(resource, namespace: namespace, object: object, name: name)
        if resource.namespaced, self.object(.namespaces, ObjectKey(namespace: "", name: key.namespace)) == nil {
            throw APIError.notFound(.namespaces, key.namespace)
        }
        if self.object(resource, key) != nil { throw APIError.alreadyExists(resource, name) }
        var metadata = object["metadata"]?.objectValue ?? JSONObject()
        metadata["name"] = .string(name)
        if resource.namespaced { metadata["namespace"] = .string(key.namespace) } else { metadata["namespace"] = nil }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["resourceVersion"] = nil
        metadata["creationTimestamp"] = .string(Self.timestamp(now))
        metadata["deletionTimestamp"] = nil
        metadata["deletionGracePeriodSeconds"] = nil
        if resource == .pods { metadata["generation"] = 1 }
        object = object.setting("metadata", to: .object(metadata))
        object = ObjectDefaults.apply(resource, to: object, store: self)
        if resource == .certificateSigningRequests {
            for field in ["request", "signerName"] where object["spec"]?[field]?.stringValue?.isEmpty ?? true {
                throw APIError.invalid(resource, name, field: "spec.\(field)", "Required value")
            }
        }
        let stored = put(resource, key, object)
        if resource == .namespaces {
            let account: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default"]]
            _ = try? create(.serviceAccounts, namespace: name, account, now: now)
        }
        return stored
    }

    /// The current object, or 404.
    func get(_ resource: ResourceType, namespace: String?, name: String) throws(APIError) -> JSONValue {
        guard let object = object(resource, ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name))
        else { throw APIError.notFound(resource, name) }
        return object
    }

    /// Replaces an object as PUT does, on the object itself (status kept) or on a subresource
    /// (`status`: only status taken; `approval`: only the conditions). A stale resourceVersion is a
    /// 409 Conflict; an unchanged object is not written again.
    mutating func update(
        _ resource: ResourceType, namespace: String?, name: String, _ body: JSONValue, subresource: String? = nil
    ) throws(APIError) -> JSONValue {
        let body = try Self.checkedBody(body, resource)
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        guard let current = object(resource, key) else { throw APIError.notFound(resource, name) }
        if let bodyName = body.metadataString("name"), bodyName != name {
            throw APIError.badRequest(
                "the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if resource.namespaced, let bodyNamespace = body.metadataString("namespace"), !bodyNamespace.isEmpty,
            bodyNamespace != key.namespace
        {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        if let version = body.metadataString("resourceVersion"), !version.isEmpty,
            version != current.metadataString("resourceVersion")
        {
            throw APIError.staleUpdate(resource, name)
        }
        var next: JSONValue
        switch subresource {
        case nil:
            next = body
            if resource.hasStatus { next = next.setting(path: ["status"], to: current["status"]) }
        case "status" where resource.plural == "nodes":
            // The node status strategy keeps only the spec: the kubelet also sets labels and
            // annotations through nodes/status.
            next = body.setting(path: ["spec"], to: current["spec"])
        case "status":
            next = current.setting(path: ["status"], to: body["status"])
        case "approval":
            next = current.setting(path: ["status", "conditions"], to: body["status"]?["conditions"])
        default:
            throw APIError.notFound(resource, name)
        }
        var metadata = next["metadata"]?.objectValue ?? JSONObject()
        let old = current["metadata"]?.objectValue ?? JSONObject()
        for preserved in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            metadata[preserved] = old[preserved]
        }
        metadata["name"] = .string(name)
        metadata["namespace"] = resource.namespaced ? .string(key.namespace) : nil
        metadata["resourceVersion"] = old["resourceVersion"]
        if subresource == nil, let generation = old["generation"]?.integerValue, next["spec"] != current["spec"] {
            metadata["generation"] = .number(String(generation + 1))
        }
        next = next.setting("metadata", to: .object(metadata))
        if next == current { return current }
        if metadata["deletionTimestamp"] != nil, metadata["finalizers"]?.arrayValue?.isEmpty ?? true,
            (metadata["deletionGracePeriodSeconds"]?.integerValue ?? 0) == 0
        {
            put(resource, key, next)
            return remove(resource, key) ?? next
        }
        return put(resource, key, next)
    }

    /// Deletes as DELETE does: preconditions checked, pods bound to a node deleted gracefully
    /// (deletionTimestamp and deletionGracePeriodSeconds set, gone only at grace 0), objects with
    /// finalizers only marked.
    mutating func delete(
        _ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions = DeleteOptions(),
        now: Date = Date()
    ) throws(APIError) -> DeleteOutcome {
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        guard let current = object(resource, key) else { throw APIError.notFound(resource, name) }
        let uid = current.metadataString("uid") ?? ""
        if let wanted = options.preconditionUID, wanted != uid {
            throw APIError.conflict(
                resource, name, "Precondition failed: UID in precondition: \(wanted), UID in object meta: \(uid)")
        }
        let version = current.metadataString("resourceVersion") ?? ""
        if let wanted = options.preconditionResourceVersion, wanted != version {
            throw APIError.conflict(
                resource, name,
                "Precondition failed: ResourceVersion in precondition: \(wanted), ResourceVersion in object meta: \(version)"
            )
        }
        var grace: Int64 = 0
        if resource == .pods {
            let phase = current["status"]?["phase"]?.stringValue ?? ""
            let bound = !(current["spec"]?["nodeName"]?.stringValue ?? "").isEmpty
            if bound, phase != "Succeeded", phase != "Failed" {
                grace = max(
                    0, options.gracePeriodSeconds ?? current["spec"]?["terminationGracePeriodSeconds"]?.integerValue ?? 30)
            }
        }
        let finalizers = current["metadata"]?["finalizers"]?.arrayValue ?? []
        let existingGrace = current["metadata"]?["deletionGracePeriodSeconds"]?.integerValue
        if options.dryRun { return DeleteOutcome(object: current, deleted: finalizers.isEmpty && grace == 0) }
        if grace == 0, finalizers.isEmpty { return DeleteOutcome(object: remove(resource, key) ?? current, deleted: true) }
        if let existingGrace, existingGrace <= grace { return DeleteOutcome(object: current, deleted: false) }
        var marked = current
        if grace > 0 || current["metadata"]?["deletionTimestamp"] == nil {
            marked = marked.setting(
                path: ["metadata", "deletionTimestamp"], to: .string(Self.timestamp(now.addingTimeInterval(Double(grace)))))
        }
        marked = marked.setting(path: ["metadata", "deletionGracePeriodSeconds"], to: .number(String(grace)))
        if grace > 0, let generation = marked["metadata"]?["generation"]?.integerValue {
            marked = marked.setting(path: ["metadata", "generation"], to: .number(String(generation + 1)))
        }
        return DeleteOutcome(object: put(resource, key, marked), deleted: false)
    }

    /// One page of a list at the current revision, or at the revision a continue token or an exact
    /// resourceVersion names (410 when that revision is compacted).
    func list(
        _ filter: ObjectFilter, limit: Int? = nil, continueToken: String? = nil, resourceVersion: String? = nil,
        resourceVersionMatch: String? = nil
    ) throws(APIError) -> ListPage {
        var at = revision
        var startAfter: ObjectKey?
        if let continueToken, !continueToken.isEmpty {
            let token = try ContinueToken(decoding: continueToken)
            guard token.revision >= compactedRevision else { throw APIError.expiredContinue }
            at = token.revision
            startAfter = token.lastKey
        } else if let resourceVersion, !resourceVersion.isEmpty, resourceVersion != "0" {
            guard let requested = Int64(resourceVersion), requested > 0 else {
                throw APIError.badRequest("invalid resource version: \(resourceVersion)")
            }
            if requested > revision {
                throw APIError(
                    code: 504, reason: "Timeout", message: "Too large resource version: \(requested), current: \(revision)",
                    details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]]])
            }
            if resourceVersionMatch == "Exact" { at = requested }
        }
        let source = at == revision ? objects(of: filter.resource) : try snapshot(filter.resource, at: at)
        var items: [JSONValue] = []
        var lastKey: ObjectKey?
        var more = false
        var remaining: Int64 = 0
        for (key, object) in source.sorted(by: { $0.key < $1.key }) {
            if let startAfter, key <= startAfter { continue }
            guard filter.matches(object) else { continue }
            if let limit, limit > 0, items.count >= limit {
                more = true
                remaining += 1
                continue
            }
            items.append(object)
            lastKey = key
        }
        var page = ListPage(items: items, resourceVersion: at)
        if more, let lastKey {
            page.continueToken = ContinueToken(revision: at, lastKey: lastKey).encoded
            if !filter.hasSelectors { page.remainingItemCount = remaining }
        }
        return page
    }

    // MARK: Helpers

    /// The body as an object with the resource's kind and apiVersion (400 when it names others).
    static func checkedBody(_ body: JSONValue, _ resource: ResourceType) throws(APIError) -> JSONValue {
        guard case .object = body else {
            throw APIError.badRequest("the body of the request was in an unknown format - expected a JSON object")
        }
        if let apiVersion = body["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != resource.apiVersion {
            throw APIError.badRequest(
                "the API version in the data (\(apiVersion)) does not match the expected API version (\(resource.apiVersion))")
        }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != resource.kind {
            throw APIError.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(resource.kind))")
        }
        if let metadata = body["metadata"], metadata.objectValue == nil, !metadata.isNull {
            throw APIError.badRequest("metadata: expected an object, got \(metadata.typeName)")
        }
        return body.setting("apiVersion", to: .string(resource.apiVersion)).setting("kind", to: .string(resource.kind))
    }

    static func key(
        _ resource: ResourceType, namespace: String?, object: JSONValue, name: String
    ) throws(APIError) -> ObjectKey {
        guard resource.namespaced else { return ObjectKey(namespace: "", name: name) }
        let bodyNamespace = object.metadataString("namespace") ?? ""
        let urlNamespace = namespace ?? ""
        if !bodyNamespace.isEmpty, !urlNamespace.isEmpty, bodyNamespace != urlNamespace {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        let effective = urlNamespace.isEmpty ? (bodyNamespace.isEmpty ? "default" : bodyNamespace) : urlNamespace
        return ObjectKey(namespace: effective, name: name)
    }

    static func timestamp(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).ISO8601Format()
    }

    /// Five characters from the alphabet generateName uses (no vowels, no confusable digits).
    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
