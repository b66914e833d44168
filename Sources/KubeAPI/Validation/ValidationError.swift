// Validation (Sources/KubeAPI/Validation): the checks upstream's API server makes on the objects
// the agent accepts (pods from files, URLs or the API; Services, ConfigMaps, Secrets), so a bad
// manifest is refused with the same field paths and messages `kubectl` would show. It knows only
// the KubeAPI types; nothing about the runtime or the files they came from.

/// One problem found by validation, shaped as upstream's `field.Error`.
///
/// `description` reads as upstream's: `spec.containers[1].name: Duplicate value: "web"`.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem (upstream's `field.ErrorType`).
    public enum Kind: String, Sendable, Hashable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case `internal` = "InternalError"

        /// The words upstream prints for the kind.
        public var words: String {
            switch self {
            case .notFound: "Not found"
            case .required: "Required value"
            case .duplicate: "Duplicate value"
            case .invalid: "Invalid value"
            case .notSupported: "Unsupported value"
            case .forbidden: "Forbidden"
            case .tooLong: "Too long"
            case .tooMany: "Too many"
            case .internal: "Internal error"
            }
        }
    }

    /// The offending value, as upstream prints it.
    public enum BadValue: Sendable, Hashable, CustomStringConvertible {
        /// A string, printed quoted.
        case string(String)
        /// A number, printed as is.
        case integer(Int64)
        /// A Boolean.
        case bool(Bool)
        /// Any other value, printed as the text given (e.g. a list `["a", "b"]`).
        case text(String)
        /// No value.
        case null

        public var description: String {
            switch self {
            case .string(let value): return ValidationError.quoted(value)
            case .integer(let value): return String(value)
            case .bool(let value): return value ? "true" : "false"
            case .text(let value): return value
            case .null: return "null"
            }
        }
    }

    /// The kind of problem.
    public var kind: Kind
    /// Where: `spec.containers[1].name`.
    public var path: FieldPath
    /// The value found, when upstream shows it.
    public var badValue: BadValue?
    /// What was expected.
    public var detail: String

    public init(kind: Kind, path: FieldPath, badValue: BadValue?, detail: String) {
        self.kind = kind
        self.path = path
        self.badValue = badValue
        self.detail = detail
    }

    /// `Required value` (with an optional detail).
    public static func required(_ path: FieldPath, _ detail: String = "") -> ValidationError {
        ValidationError(kind: .required, path: path, badValue: nil, detail: detail)
    }

    /// `Invalid value: <value>: <detail>`.
    public static func invalid(_ path: FieldPath, _ value: BadValue, _ detail: String) -> ValidationError {
        ValidationError(kind: .invalid, path: path, badValue: value, detail: detail)
    }

    /// `Duplicate value: <value>`.
    public static func duplicate(_ path: FieldPath, _ value: BadValue) -> ValidationError {
        ValidationError(kind: .duplicate, path: path, badValue: value, detail: "")
    }

    /// `Unsupported value: <value>: supported values: "A", "B"`.
    public static func notSupported(_ path: FieldPath, _ value: BadValue, supported: [String]) -> ValidationError {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(quoted).joined(separator: ", ")
        return ValidationError(kind: .notSupported, path: path, badValue: value, detail: detail)
    }

    /// `Forbidden: <detail>`.
    public static func forbidden(_ path: FieldPath, _ detail: String) -> ValidationError {
        ValidationError(kind: .forbidden, path: path, badValue: nil, detail: detail)
    }

    /// `Too long: must have at most N bytes`.
    public static func tooLong(_ path: FieldPath, maxLength: Int) -> ValidationError {
        ValidationError(kind: .tooLong, path: path, badValue: nil, detail: "must have at most \(maxLength) bytes")
    }

    /// `Not found: <value>`.
    public static func notFound(_ path: FieldPath, _ value: BadValue) -> ValidationError {
        ValidationError(kind: .notFound, path: path, badValue: value, detail: "")
    }

    /// The message without the path (upstream's `ErrorBody`).
    public var body: String {
        var text = kind.words
        switch kind {
        case .required, .forbidden, .tooLong, .internal:
            break
        default:
            if let badValue { text += ": \(badValue)" }
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    public var description: String {
        path.isEmpty ? body : "\(path): \(body)"
    }

    /// A string quoted as Go's `%q` does for printable text.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }
}

extension ValidationError.BadValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }

    /// A list of strings as Go's `%#v` prints `[]string`: `[]string{"a", "b"}`.
    public static func strings(_ values: [String]) -> ValidationError.BadValue {
        .text("[]string{" + values.map(ValidationError.quoted).joined(separator: ", ") + "}")
    }
}
