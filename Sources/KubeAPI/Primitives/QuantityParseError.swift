// The error of Quantity parsing, with upstream's three reasons and wording.

/// Why a text is not a quantity; the three reasons of upstream's `ErrFormatWrong`, `ErrNumeric`
/// and `ErrSuffix`.
public struct QuantityParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which rule the text broke.
    public enum Reason: Sendable, Hashable {
        /// The text does not have the shape `<signedNumber><suffix>`.
        case formatWrong
        /// The numeric part could not be read.
        case numeric
        /// The suffix is not one of the known ones.
        case suffix
    }

    /// The rule broken.
    public let reason: Reason
    /// The text that was parsed.
    public let text: String

    public init(reason: Reason, text: String) {
        self.reason = reason
        self.text = text
    }

    /// The regular expression upstream names in its format error.
    public static let expectedPattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

    /// Upstream's error text for the reason, without the input.
    public var upstreamMessage: String {
        switch reason {
        case .formatWrong: return "quantities must match the regular expression '\(Self.expectedPattern)'"
        case .numeric: return "unable to parse numeric part of quantity"
        case .suffix: return "unable to parse quantity's suffix"
        }
    }

    public var description: String {
        switch reason {
        case .formatWrong, .numeric: return "invalid quantity \"\(text)\": \(upstreamMessage)"
        case .suffix:
            return "invalid quantity \"\(text)\": \(upstreamMessage); expected one of "
                + "n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or e<exponent>"
        }
    }
}
