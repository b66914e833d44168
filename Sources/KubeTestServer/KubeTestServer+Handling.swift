import Foundation
import KubeAPI
import NIOHTTP1

/// Where a request goes: a resource (with namespace, name and subresource) or another path.
struct APIPath: Sendable {
    var resource: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String?
    /// The legacy `/watch/` prefix was used.
    var legacyWatch = false

    /// Parses `/api/v1/...` and `/apis/<group>/<version>/...`; nil when the path is no resource path.
    init?(_ segments: [String]) throws(APIError) {
        var rest: [String]
        let group: String
        let version: String
        if segments.count >= 3, segments[0] == "api" {
            group = ""
            version = segments[1]
            rest = Array(segments.dropFirst(2))
        } else if segments.count >= 4, segments[0] == "apis" {
            group = segments[1]
            version = segments[2]
            rest = Array(segments.dropFirst(3))
        } else {
            return nil
        }
        if rest.first == "watch" {
            legacyWatch = true
            rest.removeFirst()
        }
        var namespace: String?
        if rest.count >= 3, rest[0] == "namespaces", !(rest.count == 3 && ["status", "finalize"].contains(rest[2])) {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, let resource = ResourceType.find(group: group, version: version, plural: plural),
            rest.count <= 3
        else {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        if namespace != nil, !resource.namespaced {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        self.resource = resource
        self.namespace = namespace
        name = rest.count > 1 ? rest[1] : nil
        subresource = rest.count > 2 ? rest[2] : nil
        if let subresource, !resource.subresources.contains(subresource) {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }
}

extension KubeTestServer {
    static let jsonHeaders = [("Content-Type", "application/json"), ("Cache-Control", "no-cache, private")]

    static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        var bytes = JSONWriter.bytes(value)
        bytes.append(UInt8(ascii: "\n"))
        return .full(status: status, headers: jsonHeaders, body: bytes)
    }

    static func errorResponse(_ error: APIError) -> HTTPResponse {
        var bytes = JSONWriter.bytes(error.status)
        bytes.append(UInt8(ascii: "\n"))
        var headers = jsonHeaders
        if let retry = error.retryAfterSeconds { headers.append(("Retry-After", String(retry))) }
        return .full(status: error.code, headers: headers, body: bytes)
    }

    /// Answers one request: faults first, then authentication, authorization and the REST verb.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let (delay, failure) = runtime.withLock {
            ($0.faults.delay, $0.faults.takeFailure(path: request.path, method: request.method.rawValue))
        }
        if let delay { try? await Task.sleep(for: delay) }
        if let failure {
            let reasons = [429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"]
            let messages = [
                429: "Too many requests, please try again later.", 500: "Internal error occurred: injected fault",
                503: "the server is currently unable to handle the request", 504: "the server was unable to return a response in the time allotted",
            ]
            return Self.errorResponse(APIError(
                code: failure.status, reason: reasons[failure.status] ?? "InternalError",
                message: messages[failure.status] ?? "injected fault", retryAfterSeconds: failure.retryAfterSeconds))
        }
        do {
            let identity = try authenticate(request)
            return try await route(request, identity: identity)
        } catch {
            return Self.errorResponse(error)
        }
    }

    private func route(_ request: HTTPRequest, identity: Identity) async throws(APIError) -> HTTPResponse {
        let segments = request.path.split(separator: "/").map { HTTPRequest.decode(String($0)) }
        switch segments {
        case ["api"]: return Self.json(Discovery.versions(serverAddress: "127.0.0.1:\(port)"))
        case ["apis"]: return Self.json(Discovery.groupList())
        case ["version"]: return Self.json(Discovery.version)
        case ["healthz"], ["livez"], ["readyz"]:
            return .full(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("ok".utf8))
        default: break
        }
        if segments == ["openapi", "v3"] { return Self.json(OpenAPIDocuments.root()) }
        if segments.count >= 4, segments[0] == "openapi", segments[1] == "v3",
            let document = OpenAPIDocuments.document(segments.dropFirst(2).joined(separator: "/"))
        {
            return Self.json(document)
        }
        if segments.count == 2, segments[0] == "apis", let document = Discovery.groupDocument(segments[1]) {
            return Self.json(document)
        }
        if segments.count == 2, segments[0] == "api", let document = Discovery.resourceList(group: "", version: segments[1]) {
            return Self.json(document)
        }
        if segments.count == 3, segments[0] == "apis",
            let document = Discovery.resourceList(group: segments[1], version: segments[2])
        {
            return Self.json(document)
        }
        guard let path = try APIPath(segments) else {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        return try await serve(path, request, identity: identity)
    }

    private func verb(of request: HTTPRequest, _ path: APIPath) -> String {
        switch request.method {
        case .GET, .HEAD:
            if path.legacyWatch || ["true", "1"].contains(request.query["watch"] ?? "") { return "watch" }
            return path.name == nil ? "list" : "get"
        case .POST: return "create"
        case .PUT: return "update"
        case .PATCH: return "patch"
        case .DELETE: return path.name == nil ? "deletecollection" : "delete"
        default: return request.method.rawValue.lowercased()
        }
    }

    private func serve(_ path: APIPath, _ request: HTTPRequest, identity: Identity) async throws(APIError) -> HTTPResponse {
        let verb = verb(of: request, path)
        let resource = path.resource
        guard identity.may(verb, resource, namespace: path.namespace, name: path.name) else {
            throw APIError.forbidden(
                user: identity.user, verb: verb, resource: path.subresource.map { "\(resource.plural)/\($0)" } ?? resource.plural,
                group: resource.group, namespace: path.namespace)
        }
        let query = request.query
        // update and patch address one object; on a collection they are 405, as upstream answers.
        let name = path.name ?? ""
        if path.name == nil, ["update", "patch"].contains(verb) {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        switch verb {
        case "get":
            let object = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.get(resource, namespace: path.namespace, name: name)
            }
            if Self.wantsTable(request) { return Self.json(Tables.table(resource, [object], resourceVersion: nil)) }
            return Self.json(object)
        case "list":
            let filter = try Self.filter(path, query)
            let page = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.list(
                    filter, limit: query["limit"].flatMap { Int($0) }, continueToken: query["continue"],
                    resourceVersion: query["resourceVersion"], resourceVersionMatch: query["resourceVersionMatch"])
            }
            if Self.wantsTable(request) {
                return Self.json(Tables.table(resource, page.items, resourceVersion: page.resourceVersion, continueToken: page.continueToken))
            }
            var metadata: JSONObject = ["resourceVersion": .string(String(page.resourceVersion))]
            if let token = page.continueToken { metadata["continue"] = .string(token) }
            if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .number(String(remaining)) }
            let items = page.items.map { item -> JSONValue in
                guard var object = item.objectValue else { return item }
                object["kind"] = nil
                object["apiVersion"] = nil
                return .object(object)
            }
            return Self.json([
                "kind": .string(resource.listKind), "apiVersion": .string(resource.apiVersion), "metadata": .object(metadata),
                "items": .array(JSONArray(items)),
            ])
        case "watch":
            return try watch(path, query)
        case "create":
            var body = try Self.body(request)
            if resource == .certificateSigningRequests {
                body = body.setting(path: ["spec", "username"], to: .string(identity.user))
                    .setting(path: ["spec", "groups"], to: .array(JSONArray(identity.groups.map { .string($0) })))
            }
            if path.subresource == "token", let name = path.name {
                return Self.json(try tokenRequest(namespace: path.namespace ?? "default", serviceAccount: name, body), status: 201)
            }
            guard path.name == nil else { throw APIError.methodNotAllowed("the server does not allow this method on the requested resource") }
            if query["dryRun"] == "All" {
                var copy = try store.transaction { (state: inout StoreState) throws(APIError) in state }
                return Self.json(try copy.create(resource, namespace: path.namespace, body), status: 201)
            }
            let created = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.create(resource, namespace: path.namespace, body)
            }
            afterWrite(resource, created)
            return Self.json(created, status: 201)
        case "update":
            let body = try Self.body(request)
            let updated = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.update(resource, namespace: path.namespace, name: name, body, subresource: path.subresource)
            }
            afterWrite(resource, updated)
            return Self.json(updated)
        case "patch":
            let contentType = request.headers.first(name: "Content-Type")?.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? ""
            guard let type = PatchType(rawValue: contentType) else {
                throw APIError(
                    code: 415, reason: "UnsupportedMediaType",
                    message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json")
            }
            let patch = try Self.body(request)
            let patched = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.patch(resource, namespace: path.namespace, name: name, type, patch, subresource: path.subresource)
            }
            afterWrite(resource, patched)
            return Self.json(patched)
        case "delete":
            let options = try Self.deleteOptions(request)
            let outcome = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.delete(resource, namespace: path.namespace, name: name, options: options)
            }
            if outcome.deleted, resource != .pods, resource != .namespaces {
                var details = APIError.details(resource, name: name).objectValue ?? JSONObject()
                details["uid"] = outcome.object["metadata"]?["uid"]
                return Self.json([
                    "kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Success",
                    "details": .object(details),
                ])
            }
            return Self.json(outcome.object)
        case "deletecollection":
            let filter = try Self.filter(path, query)
            let options = try Self.deleteOptions(request)
            try store.transaction { (state: inout StoreState) throws(APIError) in
                for item in try state.list(filter).items {
                    _ = try? state.delete(
                        resource, namespace: item.metadataString("namespace"), name: item.metadataString("name") ?? "",
                        options: options)
                }
            }
            return Self.json(["kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Success"])
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    static func wantsTable(_ request: HTTPRequest) -> Bool {
        let accept = request.headers[canonicalForm: "Accept"].joined(separator: ",")
        return accept.contains("as=Table") && accept.contains("g=meta.k8s.io")
    }

    static func body(_ request: HTTPRequest) throws(APIError) -> JSONValue {
        guard !request.body.isEmpty else { throw APIError.badRequest("the request body is empty; expected a JSON object") }
        let contentType = request.headers.first(name: "Content-Type") ?? "application/json"
        if contentType.contains("yaml") {
            guard let text = String(bytes: request.body, encoding: .utf8),
                let document = try? YAMLReader.documents(text).first?.value
            else { throw APIError.badRequest("the request body is not valid YAML") }
            return document
        }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
    }

    static func filter(_ path: APIPath, _ query: [String: String]) throws(APIError) -> ObjectFilter {
        var filter = ObjectFilter(resource: path.resource, namespace: path.namespace)
        if let labels = query["labelSelector"], !labels.isEmpty {
            do {
                filter.labels = try LabelSelectorExpression(parsing: labels)
            } catch {
                throw APIError.badRequest("unable to parse requirement: \(error)")
            }
        }
        if let fields = query["fieldSelector"], !fields.isEmpty {
            let expression: FieldSelectorExpression
            do {
                expression = try FieldSelectorExpression(parsing: fields)
            } catch {
                throw APIError.badRequest("invalid field selector: \(error)")
            }
            let allowed = ["metadata.name", "metadata.namespace"] + path.resource.selectableFields
            for term in expression.terms where !allowed.contains(term.field) {
                throw APIError.badRequest("field label not supported: \(term.field)")
            }
            filter.fields = expression
        }
        return filter
    }

    static func deleteOptions(_ request: HTTPRequest) throws(APIError) -> DeleteOptions {
        var options = DeleteOptions()
        let query = request.query
        if let grace = query["gracePeriodSeconds"] { options.gracePeriodSeconds = Int64(grace) }
        if query["dryRun"] == "All" { options.dryRun = true }
        if !request.body.isEmpty {
            let body = try body(request)
            if let grace = body["gracePeriodSeconds"]?.integerValue { options.gracePeriodSeconds = grace }
            options.preconditionUID = body["preconditions"]?["uid"]?.stringValue
            options.preconditionResourceVersion = body["preconditions"]?["resourceVersion"]?.stringValue
            if body["dryRun"]?.arrayValue?.contains("All") == true { options.dryRun = true }
        }
        return options
    }

    /// A watch: chunked JSON lines, one `{"type":...,"object":...}` per event.
    private func watch(_ path: APIPath, _ query: [String: String]) throws(APIError) -> HTTPResponse {
        var filter = try Self.filter(path, query)
        if let name = path.name {
            let term = FieldSelectorExpression.Term(field: "metadata.name", value: name, negated: false)
            filter.fields = FieldSelectorExpression(terms: (filter.fields?.terms ?? []) + [term])
        }
        var from: Int64?
        if let text = query["resourceVersion"], !text.isEmpty, text != "0" {
            guard let value = Int64(text) else { throw APIError.badRequest("invalid resource version: \(text)") }
            from = value
        }
        let bookmarks = ["true", "1"].contains(query["allowWatchBookmarks"] ?? "")
        let timeout = query["timeoutSeconds"].flatMap { Int($0) }
        let (chunks, output) = AsyncStream<[UInt8]>.makeStream()
        let registration: (id: Int, stream: AsyncStream<WatchMessage>)
        do {
            registration = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.watch(filter, from: from, bookmarks: bookmarks)
            }
        } catch {
            output.yield(Self.watchLine(type: "ERROR", object: error.status))
            output.finish()
            return .stream(headers: Self.jsonHeaders, chunks: chunks, onClose: {})
        }
        let store = self.store
        let id = registration.id
        let pump = Task {
            for await message in registration.stream {
                guard case .event(let type, let object) = message else { break }
                output.yield(Self.watchLine(type: type, object: object))
            }
            output.finish()
        }
        let timer = Task {
            guard let timeout else { return }
            try? await Task.sleep(for: .seconds(max(timeout, 0)))
            store.transaction { $0.endWatch(id) }
        }
        return .stream(headers: Self.jsonHeaders, chunks: chunks) {
            timer.cancel()
            pump.cancel()
            store.transaction { $0.endWatch(id) }
            output.finish()
        }
    }

    static func watchLine(type: String, object: JSONValue) -> [UInt8] {
        var bytes = JSONWriter.bytes(["type": .string(type), "object": object])
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
