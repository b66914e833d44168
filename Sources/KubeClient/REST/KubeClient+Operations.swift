import KubeAPI

extension KubeClient {
    /// The namespace a call uses: the one given, else the object's, else the configuration's;
    /// nil for cluster-scoped kinds.
    func namespace(for descriptor: KubeResourceDescriptor, _ explicit: String?, object: MetaV1.ObjectMeta? = nil)
        -> String?
    {
        guard descriptor.namespaced else { return nil }
        return explicit ?? object?.namespace ?? configuration.namespace
    }

    static func target(_ path: String, query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return path }
        return path + "?"
            + query.map { KubeResourceDescriptor.escape($0.0) + "=" + KubeResourceDescriptor.escape($0.1) }
            .joined(separator: "&")
    }

    /// Reads one object.
    ///
    /// - Throws: ``KubeAPIError`` (``KubeAPIError/isNotFound`` when there is none),
    ///   ``KubeDecodingError``, or a transport error.
    public func get<Object: KubeResource>(
        _ type: Object.Type, name: String, namespace: String? = nil, subresource: String? = nil
    ) async throws -> Object {
        let descriptor = Object.resource
        let target = Self.target(descriptor.path(namespace: self.namespace(for: descriptor, namespace), name: name, subresource: subresource))
        let bytes = try await perform(method: "GET", target: target)
        return try decode(Object.self, from: bytes, request: "GET \(target)")
    }

    /// Lists one page. `namespace` nil on a namespaced kind lists the configuration's namespace;
    /// pass `allNamespaces: true` for all. Items that do not decode are reported and left out.
    ///
    /// - Throws: ``KubeAPIError`` (``KubeAPIError/isGone`` for an expired `continue` token),
    ///   ``KubeDecodingError``, or a transport error.
    public func list<Object: KubeResource>(
        _ type: Object.Type, namespace: String? = nil, allNamespaces: Bool = false, options: ListOptions = ListOptions()
    ) async throws -> KubeList<Object> {
        let descriptor = Object.resource
        let path = descriptor.path(namespace: allNamespaces ? nil : self.namespace(for: descriptor, namespace))
        let target = Self.target(path, query: options.queryItems(watch: false))
        let request = "GET \(target)"
        let bytes = try await perform(method: "GET", target: target)
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw KubeDecodingError(request: request, message: "the answer is not JSON: \(error)")
        }
        let metadata = value["metadata"].flatMap { try? MetaV1.ListMeta(decoding: $0, strict: false) } ?? MetaV1.ListMeta()
        guard let raw = value["items"].map({ $0.isNull ? JSONArray() : $0.arrayValue }) ?? JSONArray() else {
            throw KubeDecodingError(request: request, message: "expected \"items\" to be a list")
        }
        var items: [Object] = []
        items.reserveCapacity(raw.count)
        for element in raw {
            do {
                items.append(try Object(decoding: element, strict: false))
            } catch {
                reportUndecodable(
                    UndecodableObject(
                        request: request, key: WatchLineDecoder<Object>.rawKey(element), message: error.description))
            }
        }
        return KubeList(items: items, metadata: metadata)
    }

    /// Opens a watch. Events arrive in order; the stream ends when the server closes the watch
    /// (after `options.timeoutSeconds`) and throws ``KubeAPIError`` on an `ERROR` event
    /// (``KubeAPIError/isGone`` when `options.resourceVersion` is too old).
    ///
    /// - Throws: ``KubeAPIError`` when the server refuses the watch, or a transport error.
    public func watch<Object: KubeResource>(
        _ type: Object.Type, namespace: String? = nil, allNamespaces: Bool = false, options: ListOptions = ListOptions()
    ) async throws -> KubeWatchStream<Object> {
        let descriptor = Object.resource
        let path = descriptor.path(namespace: allNamespaces ? nil : self.namespace(for: descriptor, namespace))
        let target = Self.target(path, query: options.queryItems(watch: true))
        // The server ends the watch after timeoutSeconds; the client's own limit only guards
        // against a server that never does.
        let timeout = Duration.seconds((options.timeoutSeconds ?? 1800) + 60)
        let response = try await send(method: "GET", target: target, timeout: timeout)
        guard (200..<300).contains(response.status) else {
            let bytes = try await response.collect(upTo: 1 << 20)
            throw KubeAPIError.from(code: response.status, body: bytes, request: "GET \(target)")
        }
        return KubeWatchStream(body: response.body, request: "GET \(target)") { [weak self] object in
            self?.reportUndecodable(object)
        }
    }

    /// Creates `object` (POST) and returns what the server stored.
    ///
    /// - Throws: ``KubeAPIError`` (``KubeAPIError/isAlreadyExists``), ``KubeDecodingError``, or a
    ///   transport error.
    public func create<Object: KubeResource>(_ object: Object, namespace: String? = nil) async throws -> Object {
        let descriptor = Object.resource
        let path = descriptor.path(namespace: self.namespace(for: descriptor, namespace, object: object.objectMeta))
        return try await exchange(method: "POST", path: path, body: object.encodedDocument(), returning: Object.self)
    }

    /// POSTs `body` to a subresource of the named object (`token` of a ServiceAccount, `binding`
    /// of a Pod, `eviction`) and returns the answer as `Result`.
    ///
    /// - Throws: ``KubeAPIError``, ``KubeDecodingError``, or a transport error.
    public func create<Body: KubeObject, Result: KubeCodable>(
        _ body: Body, in descriptor: KubeResourceDescriptor, name: String, subresource: String, namespace: String? = nil,
        returning: Result.Type
    ) async throws -> Result {
        let path = descriptor.path(namespace: self.namespace(for: descriptor, namespace), name: name, subresource: subresource)
        return try await exchange(method: "POST", path: path, body: body.encodedDocument(), returning: Result.self)
    }

    /// Asks for a ServiceAccount token (`POST serviceaccounts/<name>/token`).
    ///
    /// - Throws: ``KubeAPIError``, ``KubeDecodingError``, or a transport error.
    public func requestToken(
        serviceAccount: String, namespace: String, request: AuthenticationV1.TokenRequest
    ) async throws -> AuthenticationV1.TokenRequest {
        try await create(
            request, in: .serviceAccounts, name: serviceAccount, subresource: "token", namespace: namespace,
            returning: AuthenticationV1.TokenRequest.self)
    }

    /// Replaces `object` (PUT), or its `subresource` (`status`, `approval`). The object's
    /// resourceVersion makes this a compare-and-swap.
    ///
    /// - Throws: ``KubeAPIError`` (``KubeAPIError/isConflict`` when the object changed meanwhile),
    ///   ``KubeDecodingError``, or a transport error.
    public func update<Object: KubeResource>(
        _ object: Object, subresource: String? = nil, namespace: String? = nil
    ) async throws -> Object {
        let descriptor = Object.resource
        guard let name = object.objectMeta.name, !name.isEmpty else {
            throw KubeDecodingError(request: "PUT \(descriptor.plural)", message: "the object has no metadata.name")
        }
        let path = descriptor.path(
            namespace: self.namespace(for: descriptor, namespace, object: object.objectMeta), name: name,
            subresource: subresource)
        return try await exchange(method: "PUT", path: path, body: object.encodedDocument(), returning: Object.self)
    }

    /// Patches the named object or its `subresource` and returns the result.
    ///
    /// - Throws: ``KubeAPIError``, ``KubeDecodingError``, or a transport error.
    public func patch<Object: KubeResource>(
        _ type: Object.Type, name: String, namespace: String? = nil, patch: KubePatch, subresource: String? = nil
    ) async throws -> Object {
        let descriptor = Object.resource
        let target = Self.target(
            descriptor.path(namespace: self.namespace(for: descriptor, namespace), name: name, subresource: subresource))
        let bytes = try await perform(method: "PATCH", target: target, body: patch.body, contentType: patch.contentType)
        return try decode(Object.self, from: bytes, request: "PATCH \(target)")
    }

    /// Deletes the named object.
    ///
    /// - Throws: ``KubeAPIError`` (``KubeAPIError/isNotFound``; ``KubeAPIError/isConflict`` when a
    ///   precondition failed), or a transport error.
    public func delete<Object: KubeResource>(
        _ type: Object.Type, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()
    ) async throws {
        let descriptor = Object.resource
        let target = Self.target(descriptor.path(namespace: self.namespace(for: descriptor, namespace), name: name))
        _ = try await perform(
            method: "DELETE", target: target, body: JSONWriter.bytes(options.document()), contentType: "application/json")
    }

    private func exchange<Result: KubeCodable>(
        method: String, path: String, body: JSONValue, returning: Result.Type
    ) async throws -> Result {
        let target = Self.target(path)
        let bytes = try await perform(
            method: method, target: target, body: JSONWriter.bytes(body), contentType: "application/json")
        return try decode(Result.self, from: bytes, request: "\(method) \(target)")
    }
}

extension DeleteOptions {
    /// The `DeleteOptions` body.
    func document() -> JSONValue {
        // Without apiVersion and kind, as kubectl sends it: the server reads it in any group.
        var object = JSONObject()
        if let gracePeriodSeconds { object.append("gracePeriodSeconds", .number(String(gracePeriodSeconds))) }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var preconditions = JSONObject()
            if let preconditionUID { preconditions.append("uid", .string(preconditionUID)) }
            if let preconditionResourceVersion { preconditions.append("resourceVersion", .string(preconditionResourceVersion)) }
            object.append("preconditions", .object(preconditions))
        }
        if let propagationPolicy { object.append("propagationPolicy", .string(propagationPolicy)) }
        return .object(object)
    }
}
