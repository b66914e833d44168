// IntOrString: `io.k8s.apimachinery.pkg.util.intstr.IntOrString`, a value that is either a 32-bit
// integer or a string (ports by number or name, percentages like "25%").

/// A value that is an integer or a string, as upstream's `intstr.IntOrString`.
///
/// It decodes from a JSON number or string and encodes back to the same kind.
public enum IntOrString: Sendable, Hashable {
    /// An integer, e.g. a port number.
    case int(Int32)
    /// A string, e.g. a port name or a percentage such as `25%`.
    case string(String)

    /// The integer, or the string read as an integer (0 when it is not one), as upstream's
    /// `IntValue()`.
    public var intValue: Int {
        switch self {
        case .int(let value): return Int(value)
        case .string(let text): return Int(text) ?? 0
        }
    }

    /// The value as text: the integer's digits or the string.
    public var stringValue: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let text): return text
        }
    }

    /// Why a value cannot be scaled by ``scaledValue(total:roundUp:)``.
    public struct ScalingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Upstream's wording, e.g. `invalid value for IntOrString: invalid type: string is not a percentage`.
        public let description: String
    }

    /// An absolute integer, or a percentage of `total` rounded up or down, as upstream's
    /// `GetScaledValueFromIntOrPercent` (`"25%"` of 10 is 3 rounded up, 2 rounded down).
    ///
    /// - Throws: ``ScalingError`` when the string is not `<integer>%`.
    public func scaledValue(total: Int, roundUp: Bool) throws(ScalingError) -> Int {
        switch self {
        case .int(let value):
            return Int(value)
        case .string(let text):
            guard text.hasSuffix("%") else {
                throw ScalingError(description: "invalid value for IntOrString: invalid type: string is not a percentage")
            }
            guard let percent = Int(text.dropLast()) else {
                throw ScalingError(description: "invalid value for IntOrString: invalid value \"\(text)\": expected an integer followed by '%'")
            }
            let product = percent.multipliedFullWidth(by: total)
            let (quotient, remainder) = 100.dividingFullWidth(product)
            // dividingFullWidth truncates toward zero; adjust to ceiling or floor.
            if remainder == 0 { return quotient }
            let positive = (percent < 0) == (total < 0)
            if roundUp { return positive ? quotient + 1 : quotient }
            return positive ? quotient : quotient - 1
        }
    }
}

extension IntOrString: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, CustomStringConvertible {
    public init(integerLiteral value: Int32) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public var description: String { stringValue }
}

extension IntOrString: KubeCodable {
    /// Reads a JSON number (a 32-bit integer) or string.
    ///
    /// - Throws: ``FieldErrorList`` when the value is neither, or the number is not a 32-bit integer.
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        switch value {
        case .string(let text):
            self = .string(text)
        case .number:
            self = .int(try JSONValue.integer(value, as: Int32.self))
        case .null:
            self = .int(0)
        default:
            throw FieldErrorList(.typeMismatch(expected: "integer or string", got: value))
        }
    }

    public func encoded() -> JSONValue {
        switch self {
        case .int(let value): return .number(String(value))
        case .string(let text): return .string(text)
        }
    }
}
