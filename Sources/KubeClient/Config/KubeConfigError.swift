/// A kubeconfig that cannot be used: names the file (when there is one), the field and what was
/// expected.
public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
    /// The kubeconfig file, if the problem is in one.
    public var file: String?
    /// The field path, e.g. `users[0].user.client-key-data`.
    public var field: String
    /// What was expected and what was found.
    public var message: String

    /// An error at `field` of `file`.
    public init(file: String? = nil, field: String, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = field.isEmpty ? "" : "\(field): "
        return (file.map { "\($0): " } ?? "") + place + message
    }
}
