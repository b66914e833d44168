// The error of field selector parsing.

/// Why a field selector was rejected, in upstream's words.
public struct FieldSelectorParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
