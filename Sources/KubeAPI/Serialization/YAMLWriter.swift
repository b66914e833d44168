/// Writes ``JSONValue`` trees as block-style YAML, as `kubectl get -o yaml` lays it out:
/// two-space indentation, list items at their key's indentation, `{}` and `[]` for empty
/// containers. A string is written plain only when every YAML reader reads it back as the same
/// string; otherwise it is double-quoted (with JSON escapes, which YAML shares).
public enum YAMLWriter {
    /// The YAML text of `value`, ending in a newline.
    public static func string(_ value: JSONValue) -> String {
        var out = ""
        switch value {
        case .object(let object) where !object.isEmpty:
            writeObject(object, indent: 0, into: &out)
        case .array(let array) where !array.isEmpty:
            writeArray(array, indent: 0, into: &out)
        default:
            out += scalar(value)
            out += "\n"
        }
        return out
    }

    /// Several documents separated by `---`.
    public static func string(documents: [JSONValue]) -> String {
        documents.map { string($0) }.joined(separator: "---\n")
    }

    private static func writeObject(_ object: JSONObject, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for (key, member) in object.members {
            out += pad
            out += quotedIfNeeded(key)
            out += ":"
            writeMember(member, indent: indent, into: &out)
        }
    }

    /// Writes what follows `key:` (or `-`) for a member at `indent`.
    private static func writeMember(_ member: JSONValue, indent: Int, into out: inout String) {
        switch member {
        case .object(let nested) where !nested.isEmpty:
            out += "\n"
            writeObject(nested, indent: indent + 2, into: &out)
        case .array(let nested) where !nested.isEmpty:
            out += "\n"
            writeArray(nested, indent: indent, into: &out)
        default:
            out += " "
            out += scalar(member)
            out += "\n"
        }
    }

    private static func writeArray(_ array: JSONArray, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for element in array.elements {
            out += pad
            out += "-"
            switch element {
            case .object(let object) where !object.isEmpty:
                // First member on the dash's line, the rest aligned under it.
                var first = true
                for (key, member) in object.members {
                    if first {
                        out += " "
                        first = false
                    } else {
                        out += pad + "  "
                    }
                    out += quotedIfNeeded(key)
                    out += ":"
                    writeMember(member, indent: indent + 2, into: &out)
                }
            case .array(let nested) where !nested.isEmpty:
                out += "\n"
                writeArray(nested, indent: indent + 2, into: &out)
            default:
                out += " "
                out += scalar(element)
                out += "\n"
            }
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let text): text
        case .string(let s): quotedIfNeeded(s)
        case .array: "[]"
        case .object: "{}"
        }
    }

    /// `text` plain when that reads back as the same string, else double-quoted.
    static func quotedIfNeeded(_ text: String) -> String {
        isPlainSafe(text) ? text : JSONWriter.quoted(text)
    }

    private static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "?:,[]{}#&*!|>'\"%@` \t".unicodeScalars.contains(first) { return false }
        // A leading dash is fine (`-v`, `--port=80`) unless it reads as a list item or a document marker.
        if first == "-", text == "-" || text.hasPrefix("- ") || text.hasPrefix("-\t") || text.hasPrefix("---") {
            return false
        }
        if last == " " || last == "\t" || last == ":" { return false }
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85 || scalar.value == 0xFEFF
                || scalar.value == 0x2028 || scalar.value == 0x2029
            {
                return false
            }
        }
        if text.contains(": ") || text.contains(" #") || text == "<<" || text == "=" { return false }
        // Anything a YAML 1.1 or 1.2 reader might take for a non-string.
        if case .string = YAMLReader.resolvePlain(text) {} else { return false }
        switch text {
        case "y", "Y", "n", "N", ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".nan", ".NaN", ".NAN": return false
        default: break
        }
        if looksLikeTimestamp(text) { return false }
        return true
    }

    /// `2024-01-02...`: YAML 1.1 readers may turn these into timestamps.
    private static func looksLikeTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(10))
        guard bytes.count == 10 else { return false }
        for (i, b) in bytes.enumerated() {
            let isDigit = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
            if i == 4 || i == 7 {
                if b != UInt8(ascii: "-") { return false }
            } else if !isDigit {
                return false
            }
        }
        return true
    }
}
