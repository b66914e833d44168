/// Where in a document a value sits, written as upstream's `field.Path` writes it:
/// `spec.containers[0].ports[1].containerPort`, `metadata.labels[app]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// A struct field: `.name`.
        case field(String)
        /// A list index: `[0]`.
        case index(Int)
        /// A map key: `[app]`.
        case key(String)
    }

    /// The steps from the document root.
    public var components: [Component]

    /// The empty path (the document itself).
    public static let root = FieldPath()

    /// A path of these components (the root when empty).
    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// A path of struct fields: `FieldPath("spec", "containers")`.
    public init(_ fields: String...) {
        self.components = fields.map(Component.field)
    }

    /// Whether this is the root path.
    public var isEmpty: Bool { components.isEmpty }

    /// This path extended by a struct field.
    public func child(_ name: String) -> FieldPath { appending(.field(name)) }

    /// This path extended by a list index.
    public func index(_ index: Int) -> FieldPath { appending(.index(index)) }

    /// This path extended by a map key.
    public func key(_ key: String) -> FieldPath { appending(.key(key)) }

    /// This path extended by one component.
    public func appending(_ component: Component) -> FieldPath {
        var copy = self
        copy.components.append(component)
        return copy
    }

    /// `prefix` followed by this path.
    public func prepending(_ prefix: Component) -> FieldPath {
        var copy = FieldPath([prefix])
        copy.components.append(contentsOf: components)
        return copy
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .field(let name):
                if !text.isEmpty { text += "." }
                text += name
            case .index(let i):
                text += "[\(i)]"
            case .key(let k):
                text += "[\(k)]"
            }
        }
        return text
    }
}
