/// Why a manifest file or document could not be read: the file and every problem found, each
/// with its line and field path.
///
/// `description` has one line per problem:
/// `pods.yaml:14: spec.containers[0].ports[1].containerPort: expected integer, got "http"`.
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as given to the decoder.
    public var file: String
    /// The problems, in document order; never empty.
    public var errors: [FieldError]

    /// The problems `errors` of `file`.
    public init(file: String, errors: [FieldError]) {
        self.file = file
        self.errors = errors
    }

    /// A problem without a field path (syntax errors, unreadable files).
    public init(file: String, line: Int?, message: String) {
        self.init(file: file, errors: [FieldError(line: line, message: message)])
    }

    public var description: String {
        errors.map { error in
            let location = error.line.map { "\(file):\($0)" } ?? file
            return "\(location): \(error)"
        }.joined(separator: "\n")
    }
}
