import KubeAPI

/// A kind the client can read and write: a ``KubeAPI/KubeObject`` with its place in the API and
/// its metadata. The generated types conform in `KubeResource+Kinds.swift`.
public protocol KubeResource: KubeObject {
    /// Where objects of this kind live.
    static var resource: KubeResourceDescriptor { get }
    /// Standard object metadata (name, namespace, resourceVersion, ...), empty when absent.
    var objectMeta: MetaV1.ObjectMeta { get set }
}

/// The generated kinds whose `metadata` is optional (all but `CoreV1.Event`).
public protocol OptionalObjectMetadata {
    /// Standard object metadata.
    var metadata: MetaV1.ObjectMeta? { get set }
}

extension KubeResource where Self: OptionalObjectMetadata {
    public var objectMeta: MetaV1.ObjectMeta {
        get { metadata ?? MetaV1.ObjectMeta() }
        set { metadata = newValue }
    }
}

extension KubeResource {
    /// `namespace/name`, or `name` for a cluster-scoped object: the key of an informer's store.
    public var storeKey: String {
        let name = objectMeta.name ?? ""
        guard let namespace = objectMeta.namespace, !namespace.isEmpty else { return name }
        return namespace + "/" + name
    }

    /// The object's resourceVersion, empty when it has none.
    public var resourceVersion: String { objectMeta.resourceVersion ?? "" }
}
