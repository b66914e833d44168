import KubeAPI

/// One page of a list: the items, and the list's metadata (`resourceVersion`, `continue`).
public struct KubeList<Object: KubeResource>: Sendable {
    /// The objects on this page that decoded (malformed ones are reported and left out).
    public var items: [Object]
    /// `metadata` of the list.
    public var metadata: MetaV1.ListMeta

    /// A list from its parts.
    public init(items: [Object], metadata: MetaV1.ListMeta = MetaV1.ListMeta()) {
        self.items = items
        self.metadata = metadata
    }

    /// The list's resourceVersion: where a watch that follows it starts.
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    /// The token of the next page; nil on the last page.
    public var continueToken: String? {
        guard let token = metadata.continue, !token.isEmpty else { return nil }
        return token
    }
}
