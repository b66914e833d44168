// The error of RFC 3339 parsing for MetaV1.Time and MetaV1.MicroTime.

/// Why a text is not an RFC 3339 date-time; names the text, the problem and the expected form.
public struct TimeParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was parsed.
    public let text: String
    /// What was wrong, e.g. `month out of range`.
    public let reason: String
    /// The form that was expected, e.g. `2006-01-02T15:04:05Z07:00`.
    public let expectedLayout: String

    public init(text: String, reason: String, expectedLayout: String) {
        self.text = text
        self.reason = reason
        self.expectedLayout = expectedLayout
    }

    public var description: String {
        "invalid time \"\(text)\": \(reason); expected RFC 3339 \(expectedLayout)"
    }
}
