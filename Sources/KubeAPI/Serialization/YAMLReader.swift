import Yams

/// Reads YAML text into ``JSONValue`` documents, resolving scalars as Kubernetes' YAML reader
/// (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1 rules) does:
///
/// - plain `null`, `Null`, `NULL`, `~` and the empty scalar are null;
/// - plain `true`/`false`, `yes`/`no`, `on`/`off` (each also Capitalised and UPPER) are Booleans;
/// - plain integers are numbers: decimal (`_` allowed), `0x` hex, `0o` octal, `0b` binary, and
///   a leading `0` means octal (`0644` is 420), as Go's `ParseInt(s, 0, 64)` reads them;
/// - plain floats (`0.5`, `1e3`, `.5`) are numbers, written as valid JSON number text;
/// - quoted and block scalars are strings, and so is every other plain scalar (timestamps
///   included, which keeps `creationTimestamp` as its text);
/// - explicit `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` tags are honoured;
/// - anchors and aliases are expanded, `<<` merge keys merged (explicit keys win).
///
/// Documents are separated by `---`; empty (null) documents are skipped. Duplicate keys in a
/// mapping are always an error (the YAML parser underneath rejects them).
public enum YAMLReader {
    /// A syntax or structure error with its 1-based line.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The non-empty documents of `text`, each with the line it starts on.
    ///
    /// - Throws: ``SyntaxError``.
    public static func documents(_ text: String) throws(SyntaxError) -> [(value: JSONValue, line: Int)] {
        var result: [(value: JSONValue, line: Int)] = []
        do {
            var sequence = try Yams.compose_all(yaml: text, Resolver.basic)
            while let node = sequence.next() {
                let value = try convert(node)
                if case .null = value { continue }
                result.append((value, node.mark?.line ?? 1))
            }
            if let error = sequence.error { throw error }
        } catch let error as SyntaxError {
            throw error
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw SyntaxError(line: 1, message: "invalid YAML: \(error)")
        }
        return result
    }

    /// The value of one plain scalar, resolved as described above.
    public static func resolvePlain(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return .bool(true)
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return .bool(false)
        default: break
        }
        guard let first = text.utf8.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        else { return .string(text) }
        if let integer = integerText(text) { return .number(integer) }
        if let float = floatText(text) { return .number(float) }
        return .string(text)
    }

    // MARK: Conversion

    private static func convert(_ node: Node) throws(SyntaxError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return try resolve(scalar)
        case .sequence(let sequence):
            var array = JSONArray()
            for element in sequence {
                array.append(try convert(element), line: element.mark?.line)
            }
            return .array(array)
        case .mapping(let mapping):
            return .object(try convert(mapping))
        case .alias(let alias):
            throw SyntaxError(line: alias.mark?.line ?? 1, message: "unresolved alias *\(alias.anchor.rawValue)")
        }
    }

    private static func convert(_ mapping: Node.Mapping) throws(SyntaxError) -> JSONObject {
        var object = JSONObject(minimumCapacity: mapping.count)
        var merges: [(Node, Int)] = []
        for (key, value) in mapping {
            let line = key.mark?.line ?? mapping.mark?.line ?? 1
            guard case .scalar(let keyScalar) = key else {
                throw SyntaxError(line: line, message: "mapping key must be a scalar")
            }
            // The parser's duplicate-key check resolves key tags in place, so a plain `<<` key may
            // carry `str` by now; explicit tags are not told apart from that (a `!!str <<` key).
            let keyTag = Tag.Name(rawValue: keyScalar.tag.description)
            if keyScalar.style == .plain, keyScalar.string == "<<", keyTag == .implicit || keyTag == .str || keyTag == .merge {
                merges.append((value, line))
                continue
            }
            object.append(keyScalar.string, try convert(value), line: line)
        }
        for (source, line) in merges {
            var sources: [Node.Mapping] = []
            switch source {
            case .mapping(let m): sources = [m]
            case .sequence(let s):
                for element in s {
                    guard case .mapping(let m) = element else {
                        throw SyntaxError(line: line, message: "merge key << needs a mapping or a list of mappings")
                    }
                    sources.append(m)
                }
            default:
                throw SyntaxError(line: line, message: "merge key << needs a mapping or a list of mappings")
            }
            for merged in sources {
                let mergedObject = try convert(merged)
                for (i, (key, value)) in mergedObject.members.enumerated() where object.index(of: key) == nil {
                    object.append(key, value, line: mergedObject.line(at: i) ?? line)
                }
            }
        }
        return object
    }

    private static func resolve(_ scalar: Node.Scalar) throws(SyntaxError) -> JSONValue {
        let text = scalar.string
        let line = scalar.mark?.line ?? 1
        switch Tag.Name(rawValue: scalar.tag.description) {
        case .implicit:
            return scalar.style == .plain ? resolvePlain(text) : .string(text)
        case .str, .nonSpecific:
            return .string(text)
        case .null:
            return .null
        case .bool:
            if case .bool(let b) = resolvePlain(text) { return .bool(b) }
            throw SyntaxError(line: line, message: "invalid !!bool value \(JSONWriter.quoted(text))")
        case .int:
            if let integer = integerText(text) { return .number(integer) }
            throw SyntaxError(line: line, message: "invalid !!int value \(JSONWriter.quoted(text))")
        case .float:
            if let number = integerText(text) ?? floatText(text) { return .number(number) }
            throw SyntaxError(line: line, message: "invalid !!float value \(JSONWriter.quoted(text))")
        default:
            // Unknown local tags: keep the text, as a string.
            return .string(text)
        }
    }

    /// Decimal text of a YAML 1.1 integer, or nil.
    static func integerText(_ raw: String) -> String? {
        var text = Substring(raw.contains("_") ? raw.filter { $0 != "_" } : raw)
        var negative = false
        if let sign = text.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            text = text.dropFirst()
        }
        guard !text.isEmpty else { return nil }
        let radix: Int
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            radix = 16
            text = text.dropFirst(2)
        } else if text.hasPrefix("0o") || text.hasPrefix("0O") {
            radix = 8
            text = text.dropFirst(2)
        } else if text.hasPrefix("0b") || text.hasPrefix("0B") {
            radix = 2
            text = text.dropFirst(2)
        } else if text.count > 1, text.hasPrefix("0") {
            radix = 8
            text = text.dropFirst()
        } else {
            radix = 10
        }
        guard !text.isEmpty else { return nil }
        if radix == 10 {
            // Any length: big numbers keep their exact digits.
            guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return (negative ? "-" : "") + text
        }
        guard let magnitude = UInt64(text, radix: radix) else { return nil }
        if magnitude == 0 { return "0" }
        return (negative ? "-" : "") + String(magnitude)
    }

    /// JSON number text of a YAML float (`[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`).
    static func floatText(_ raw: String) -> String? {
        let bytes = Array(raw.utf8)
        var i = 0
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        func digits() -> String {
            let start = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        var sign = ""
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            if bytes[i] == UInt8(ascii: "-") { sign = "-" }
            i += 1
        }
        var integer = digits()
        var fraction = ""
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            fraction = digits()
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = ""
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expSign = ""
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expSign = bytes[i] == UInt8(ascii: "-") ? "-" : "+"
                i += 1
            }
            let expDigits = digits()
            guard !expDigits.isEmpty else { return nil }
            exponent = "e" + expSign + expDigits
        }
        guard i == bytes.count else { return nil }
        // JSON allows no leading zeros: 007.5 is 7.5.
        while integer.count > 1, integer.hasPrefix("0") { integer.removeFirst() }
        if integer.isEmpty { integer = "0" }
        return sign + integer + (fraction.isEmpty ? "" : "." + fraction) + exponent
    }

    private static func syntaxError(_ error: YamlError) -> SyntaxError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text))" } ?? ""
            return SyntaxError(line: mark.line, message: "invalid YAML: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map(JSONWriter.quoted).joined(separator: ", ")
            return SyntaxError(line: context.mark.line, message: "duplicate key \(keys)")
        case .reader(let problem, _, _, _):
            return SyntaxError(line: 1, message: "invalid YAML: \(problem)")
        default:
            return SyntaxError(line: 1, message: "invalid YAML: \(error)")
        }
    }
}
