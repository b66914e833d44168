/// The query of a list or watch, with client-go's parameter names.
public struct ListOptions: Sendable, Hashable {
    /// `labelSelector`, e.g. `app=web,tier!=db`.
    public var labelSelector: String?
    /// `fieldSelector`, e.g. `spec.nodeName=node-1`.
    public var fieldSelector: String?
    /// `limit`: page size of a list.
    public var limit: Int?
    /// `continue`: the token of the next page.
    public var continueToken: String?
    /// `resourceVersion`.
    public var resourceVersion: String?
    /// `resourceVersionMatch`: `Exact` or `NotOlderThan`.
    public var resourceVersionMatch: String?
    /// `timeoutSeconds`: how long the server keeps a watch (or list) open.
    public var timeoutSeconds: Int?
    /// `allowWatchBookmarks` (watches only).
    public var allowWatchBookmarks: Bool

    /// Options from their parts; all absent by default.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil,
        allowWatchBookmarks: Bool = false
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }

    /// The query parameters, for a watch when `watch` is set.
    func queryItems(watch: Bool) -> [(String, String)] {
        var items: [(String, String)] = []
        if watch { items.append(("watch", "true")) }
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if !watch, let limit, limit > 0 { items.append(("limit", String(limit))) }
        if !watch, let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { items.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        if watch, allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        return items
    }
}

/// How an object is deleted (`meta.k8s.io/v1` DeleteOptions).
public struct DeleteOptions: Sendable, Hashable {
    /// Seconds the object gets to terminate; 0 deletes at once.
    public var gracePeriodSeconds: Int64?
    /// Delete only if the object still has this UID.
    public var preconditionUID: String?
    /// Delete only if the object still has this resourceVersion.
    public var preconditionResourceVersion: String?
    /// `Orphan`, `Background` or `Foreground`.
    public var propagationPolicy: String?

    /// Options from their parts; all absent by default.
    public init(
        gracePeriodSeconds: Int64? = nil, preconditionUID: String? = nil, preconditionResourceVersion: String? = nil,
        propagationPolicy: String? = nil
    ) {
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.propagationPolicy = propagationPolicy
    }
}

/// A patch and its content type.
public enum KubePatch: Sendable, Hashable {
    /// `application/strategic-merge-patch+json` (what the kubelet sends for pod status).
    case strategicMerge([UInt8])
    /// `application/merge-patch+json` (RFC 7386).
    case merge([UInt8])
    /// `application/json-patch+json` (RFC 6902).
    case json([UInt8])

    /// The `Content-Type` header.
    public var contentType: String {
        switch self {
        case .strategicMerge: "application/strategic-merge-patch+json"
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        }
    }

    /// The body.
    public var body: [UInt8] {
        switch self {
        case .strategicMerge(let bytes), .merge(let bytes), .json(let bytes): bytes
        }
    }
}
