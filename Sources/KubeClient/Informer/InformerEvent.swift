/// A change of an informer's store.
public enum InformerEvent<Object: KubeResource>: Sendable {
    /// The object appeared.
    case added(Object)
    /// The object changed from `old` to `new`.
    case updated(old: Object, new: Object)
    /// The object is gone; its last known state.
    case deleted(Object)
}
