import KubeAPI

/// The API server refused a request: the HTTP status with the `metav1.Status` it sent (or one made
/// up from the status code when the body was not a Status, as client-go does).
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    /// The server's Status: `code`, `reason`, `message`, `details`.
    public var status: MetaV1.Status
    /// The request, as `METHOD path`, for messages.
    public var request: String

    /// An error for `request` carrying `status`.
    public init(status: MetaV1.Status, request: String) {
        self.status = status
        self.request = request
    }

    /// The HTTP status code (Status `code`).
    public var code: Int { Int(status.code ?? 0) }
    /// The machine-readable reason, e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Expired`.
    public var reason: String { status.reason ?? "" }

    /// 404 / `NotFound`.
    public var isNotFound: Bool { reason == "NotFound" || (reason.isEmpty && code == 404) }
    /// 409 / `Conflict`: the object changed since it was read (a stale resourceVersion).
    public var isConflict: Bool { reason == "Conflict" || (reason.isEmpty && code == 409) }
    /// 409 / `AlreadyExists`.
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// 410 / `Gone` or `Expired`: the resourceVersion asked for is too old; list again.
    public var isGone: Bool { code == 410 || reason == "Gone" || reason == "Expired" }
    /// 429 / `TooManyRequests`.
    public var isTooManyRequests: Bool { code == 429 || reason == "TooManyRequests" }
    /// 401 / `Unauthorized`.
    public var isUnauthorized: Bool { code == 401 || reason == "Unauthorized" }

    public var description: String {
        "\(request): \(code) \(reason): \(status.message ?? "(no message)")"
    }

    /// The reason client-go gives a failure whose body was not a Status.
    static func reason(forCode code: Int) -> String {
        switch code {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 406: "NotAcceptable"
        case 409: "Conflict"
        case 410: "Gone"
        case 415: "UnsupportedMediaType"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: "Unknown"
        }
    }

    /// The error for a non-2xx answer with `body`.
    static func from(code: Int, body: [UInt8], request: String) -> KubeAPIError {
        if let value = try? JSONParser.parse(body), value["kind"]?.stringValue == "Status",
            var status = try? MetaV1.Status(decoding: value, strict: false)
        {
            if status.code == nil || status.code == 0 { status.code = Int32(code) }
            return KubeAPIError(status: status, request: request)
        }
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        let status = MetaV1.Status(
            code: Int32(code), message: text.isEmpty ? "the server answered \(code) with no body" : text,
            reason: reason(forCode: code), status: "Failure")
        return KubeAPIError(status: status, request: request)
    }
}

/// The server's answer did not decode as the type asked for.
public struct KubeDecodingError: Error, Sendable, CustomStringConvertible {
    /// The request, as `METHOD path`.
    public var request: String
    /// What was expected and what was found.
    public var message: String

    /// An error about the answer to `request`.
    public init(request: String, message: String) {
        self.request = request
        self.message = message
    }

    public var description: String { "\(request): \(message)" }
}
