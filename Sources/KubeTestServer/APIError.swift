import KubeAPI

/// A failed API call, answered with a `Status` object as kube-apiserver writes it.
struct APIError: Error, Sendable {
    /// The HTTP status code.
    var code: Int
    /// The machine-readable reason (`NotFound`, `AlreadyExists`, `Conflict`, `Expired`, ...).
    var reason: String
    var message: String
    var details: JSONValue?
    /// Seconds for a `Retry-After` header and `details.retryAfterSeconds`.
    var retryAfterSeconds: Int?

    init(code: Int, reason: String, message: String, details: JSONValue? = nil, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The `Status` object for this error.
    var status: JSONValue {
        var object: JSONObject = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Failure",
            "message": .string(message), "reason": .string(reason),
        ]
        var detailObject = details?.objectValue
        if let retryAfterSeconds {
            detailObject = detailObject ?? JSONObject()
            detailObject?["retryAfterSeconds"] = .number(String(retryAfterSeconds))
        }
        if let detailObject { object["details"] = .object(detailObject) }
        object["code"] = .number(String(code))
        return .object(object)
    }

    static func details(_ resource: ResourceType, name: String) -> JSONValue {
        var object: JSONObject = ["name": .string(name)]
        if !resource.group.isEmpty { object["group"] = .string(resource.group) }
        object["kind"] = .string(resource.plural)
        return .object(object)
    }

    static func notFound(_ resource: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
            details: details(resource, name: name))
    }

    static func alreadyExists(_ resource: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedName) \"\(name)\" already exists",
            details: details(resource, name: name))
    }

    static func conflict(_ resource: ResourceType, _ name: String, _ why: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": \(why)",
            details: details(resource, name: name))
    }

    static func staleUpdate(_ resource: ResourceType, _ name: String) -> APIError {
        conflict(
            resource, name,
            "the object has been modified; please apply your changes to the latest version and try again")
    }

    static func invalid(_ resource: ResourceType, _ name: String, field: String, _ why: String) -> APIError {
        var details = APIError.details(resource, name: name).objectValue ?? JSONObject()
        details["kind"] = .string(resource.kind)
        details["causes"] = [["reason": "FieldValueInvalid", "message": .string(why), "field": .string(field)]]
        return APIError(
            code: 422, reason: "Invalid", message: "\(resource.kind) \"\(name)\" is invalid: \(field): \(why)",
            details: .object(details))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    static func tooOldResourceVersion(_ requested: Int64, _ oldest: Int64) -> APIError {
        APIError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    static let expiredContinue = APIError(
        code: 410, reason: "Expired",
        message:
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
    )

    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func forbidden(user: String, verb: String, resource: String, group: String, namespace: String?)
        -> APIError
    {
        let scope = namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        return APIError(
            code: 403, reason: "Forbidden",
            message:
                "\(resource) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\" in API group \"\(group)\"\(scope)",
            details: ["kind": .string(resource)])
    }
}
