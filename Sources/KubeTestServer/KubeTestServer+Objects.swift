import Foundation
import KubeAPI

extension KubeTestServer {
    /// The resource named `name` (`pods`, `leases`, `leases.coordination.k8s.io`, or a kind such as `Pod`).
    static func resource(named name: String) throws(Failure) -> ResourceType {
        let match = ResourceType.all.first {
            $0.plural == name || $0.qualifiedName == name || $0.kind == name || $0.singular == name
        }
        guard let match else { throw Failure(code: 404, reason: "NotFound", message: "no resource \"\(name)\" is served") }
        return match
    }

    static func failure(_ error: APIError) -> Failure {
        Failure(code: error.code, reason: error.reason, message: error.message)
    }

    func write<T: Sendable>(_ body: (inout StoreState) throws(APIError) -> T) throws(Failure) -> T {
        do {
            return try store.transaction(body)
        } catch {
            throw Self.failure(error)
        }
    }

    /// Creates `object` (its `apiVersion` and `kind` say where) as a POST would.
    @discardableResult
    public func create(_ object: JSONValue) throws(Failure) -> JSONValue {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            let resource = ResourceType.find(apiVersion: apiVersion, kind: kind)
        else {
            throw Failure(code: 400, reason: "BadRequest", message: "object: apiVersion and kind must name a served resource")
        }
        let created = try write { (state: inout StoreState) throws(APIError) in
            try state.create(resource, namespace: object.metadataString("namespace"), object)
        }
        afterWrite(resource, created)
        return created
    }

    /// The object, or nil when there is none.
    public func get(_ resource: String, namespace: String? = nil, name: String) throws(Failure) -> JSONValue? {
        let type = try Self.resource(named: resource)
        return store.transaction { try? $0.get(type, namespace: namespace, name: name) }
    }

    /// Every object of `resource` (in `namespace`, or all), in key order.
    public func list(_ resource: String, namespace: String? = nil) throws(Failure) -> [JSONValue] {
        let type = try Self.resource(named: resource)
        return try write { (state: inout StoreState) throws(APIError) in
            try state.list(ObjectFilter(resource: type, namespace: namespace)).items
        }
    }

    /// Replaces `object` as a PUT would (`subresource` `status` to write its status); a stale
    /// resourceVersion in it is a 409 Conflict.
    @discardableResult
    public func update(_ object: JSONValue, subresource: String? = nil) throws(Failure) -> JSONValue {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            let resource = ResourceType.find(apiVersion: apiVersion, kind: kind),
            let name = object.metadataString("name")
        else {
            throw Failure(code: 400, reason: "BadRequest", message: "object: apiVersion, kind and metadata.name are required")
        }
        let updated = try write { (state: inout StoreState) throws(APIError) in
            try state.update(resource, namespace: object.metadataString("namespace"), name: name, object, subresource: subresource)
        }
        afterWrite(resource, updated)
        return updated
    }

    /// Patches an object as PATCH would; `type` is `merge`, `json` or `strategic`.
    @discardableResult
    public func patch(
        _ resource: String, namespace: String? = nil, name: String, type: String, patch: JSONValue,
        subresource: String? = nil
    ) throws(Failure) -> JSONValue {
        let resourceType = try Self.resource(named: resource)
        let patchType: PatchType
        switch type {
        case "merge": patchType = .merge
        case "json": patchType = .json
        case "strategic": patchType = .strategic
        default: throw Failure(code: 415, reason: "UnsupportedMediaType", message: "patch type \(type) is not supported")
        }
        let patched = try write { (state: inout StoreState) throws(APIError) in
            try state.patch(resourceType, namespace: namespace, name: name, patchType, patch, subresource: subresource)
        }
        afterWrite(resourceType, patched)
        return patched
    }

    /// Deletes as a DELETE would (pods bound to a node gracefully unless `gracePeriodSeconds` is 0).
    @discardableResult
    public func delete(
        _ resource: String, namespace: String? = nil, name: String, gracePeriodSeconds: Int64? = nil
    ) throws(Failure) -> JSONValue {
        let type = try Self.resource(named: resource)
        return try write { (state: inout StoreState) throws(APIError) in
            try state.delete(type, namespace: namespace, name: name, options: DeleteOptions(gracePeriodSeconds: gracePeriodSeconds))
                .object
        }
    }

    // MARK: Faults

    /// Closes every open watch (clients see their streams end).
    public func dropWatches() {
        store.transaction { $0.dropAllWatches() }
    }

    /// The number of watches open now.
    public var openWatchCount: Int { store.transaction { $0.watchCount } }

    /// Answers the next `count` requests that match (`pathPrefix`, `verb` such as `GET`) with
    /// `status` (429, 500 or 503) and, when given, `Retry-After`.
    public func failNextRequests(
        _ count: Int, status: Int, retryAfterSeconds: Int? = nil, pathPrefix: String? = nil, verb: String? = nil
    ) {
        runtime.withLock {
            $0.faults.failures.append(FaultPlan.Failure(
                remaining: count, status: status, retryAfterSeconds: retryAfterSeconds, pathPrefix: pathPrefix, verb: verb))
        }
    }

    /// Delays every answer by `delay` (nil: answer at once).
    public func setResponseDelay(_ delay: Duration?) {
        runtime.withLock { $0.faults.delay = delay }
    }

    /// Compacts history up to the current resourceVersion (or `revision`): watches and continue
    /// tokens from before it get 410 Gone.
    public func compact(to revision: Int64? = nil) {
        store.transaction { state in state.compact(to: revision ?? state.revision) }
    }

    /// Approves (or with `approve` false, denies) every future CSR as it is created.
    public func setAutoApproveCSRs(_ approve: Bool) {
        runtime.withLock { $0.autoApproveCSRs = approve }
    }

    /// Sends `object` to every watch on `resource` as an event of `type` without storing it: an
    /// object with wrong types or unknown fields that clients must survive.
    public func injectIntoWatches(_ resource: String, type: String = "ADDED", object: JSONValue) throws(Failure) {
        let resourceType = try Self.resource(named: resource)
        store.transaction { $0.injectIntoWatches(resourceType, type: type, object: object) }
    }

    /// Stores `object` as it is, without defaults or checks (a malformed object that lists and
    /// watches then carry); it needs only `metadata.name` (and `metadata.namespace` when namespaced).
    @discardableResult
    public func storeRaw(_ resource: String, _ object: JSONValue) throws(Failure) -> JSONValue {
        let resourceType = try Self.resource(named: resource)
        guard let name = object.metadataString("name") else {
            throw Failure(code: 400, reason: "BadRequest", message: "object: metadata.name is required")
        }
        let key = ObjectKey(namespace: resourceType.namespaced ? object.metadataString("namespace") ?? "default" : "", name: name)
        return store.transaction { $0.put(resourceType, key, object) }
    }
}

extension StoreState {
    /// Applies a patch to the current object and stores the result as an update would.
    mutating func patch(
        _ resource: ResourceType, namespace: String?, name: String, _ type: PatchType, _ patch: JSONValue,
        subresource: String?
    ) throws(APIError) -> JSONValue {
        let current = try get(resource, namespace: namespace, name: name)
        let patched = try Patch.apply(type, patch, to: current, resource: resource)
        return try update(resource, namespace: namespace, name: name, patched, subresource: subresource)
    }
}
