/// All problems found while decoding one value (upstream's `field.ErrorList`). Decoding goes on
/// after a bad field so that one pass reports every problem of a document.
public struct FieldErrorList: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in document order.
    public var errors: [FieldError]

    /// A list of these errors.
    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    /// A list with one error.
    public init(_ error: FieldError) {
        self.errors = [error]
    }

    /// One line per error.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }

    /// These errors seen from the parent: `component` is put in front of each path and
    /// `line` fills in where no closer line is known.
    public func nested(under component: FieldPath.Component, line: Int?) -> [FieldError] {
        errors.map { error in
            var copy = error
            copy.path = error.path.prepending(component)
            if copy.line == nil { copy.line = line }
            return copy
        }
    }
}
