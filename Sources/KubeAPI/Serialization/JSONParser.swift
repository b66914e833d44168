/// A JSON reader (RFC 8259) from bytes to ``JSONValue``, tracking the source line of every
/// object member and array element.
///
/// Numbers are validated and kept as text. Strings must be valid UTF-8; `\u` escapes may form
/// surrogate pairs (a lone surrogate is an error). Nesting deeper than ``maximumDepth`` is an
/// error rather than a stack overflow. Duplicate keys in an object are an error when
/// `rejectDuplicateKeys` is set; otherwise the last value wins, at the first key's position
/// (Go's encoding/json keeps the last value too).
public struct JSONParser {
    /// A syntax error with its 1-based line.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// How deep arrays and objects may nest.
    public static let maximumDepth = 512

    /// Parses exactly one JSON value (surrounded by optional whitespace).
    ///
    /// - Throws: ``SyntaxError``, also for anything after the value.
    public static func parse(
        _ bytes: some Collection<UInt8>, rejectDuplicateKeys: Bool = false
    ) throws(SyntaxError) -> JSONValue {
        let documents = try parseSequence(bytes, rejectDuplicateKeys: rejectDuplicateKeys, single: true)
        guard let first = documents.first else {
            throw SyntaxError(line: 1, message: "unexpected end of input, expected a JSON value")
        }
        return first.value
    }

    /// Parses a stream of JSON values separated by optional whitespace (as `kubectl get -o json`
    /// output concatenated), each with the line it starts on.
    ///
    /// - Throws: ``SyntaxError``.
    public static func parseSequence(
        _ bytes: some Collection<UInt8>, rejectDuplicateKeys: Bool = false
    ) throws(SyntaxError) -> [(value: JSONValue, line: Int)] {
        try parseSequence(bytes, rejectDuplicateKeys: rejectDuplicateKeys, single: false)
    }

    private static func parseSequence(
        _ bytes: some Collection<UInt8>, rejectDuplicateKeys: Bool, single: Bool
    ) throws(SyntaxError) -> [(value: JSONValue, line: Int)] {
        let result: Result<[(value: JSONValue, line: Int)], SyntaxError>? = bytes.withContiguousStorageIfAvailable {
            buffer in
            Result { () throws(SyntaxError) in
                try parseBuffer(buffer, rejectDuplicateKeys: rejectDuplicateKeys, single: single)
            }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(SyntaxError) in
            try parseBuffer(buffer, rejectDuplicateKeys: rejectDuplicateKeys, single: single)
        }
    }

    private static func parseBuffer(
        _ buffer: UnsafeBufferPointer<UInt8>, rejectDuplicateKeys: Bool, single: Bool
    ) throws(SyntaxError) -> [(value: JSONValue, line: Int)] {
        var parser = JSONParser(buffer: buffer, rejectDuplicateKeys: rejectDuplicateKeys)
        var documents: [(value: JSONValue, line: Int)] = []
        parser.skipWhitespace()
        if parser.index < buffer.count, buffer[parser.index] == 0xEF, parser.index + 2 < buffer.count,
            buffer[parser.index + 1] == 0xBB, buffer[parser.index + 2] == 0xBF
        {
            parser.index += 3  // UTF-8 byte order mark
            parser.skipWhitespace()
        }
        while parser.index < buffer.count {
            if single, !documents.isEmpty {
                throw parser.error("unexpected \(parser.describeCurrent()) after the JSON value")
            }
            let line = parser.line
            let value = try parser.parseValue(depth: 0)
            documents.append((value, line))
            parser.skipWhitespace()
        }
        return documents
    }

    // MARK: State

    private let buffer: UnsafeBufferPointer<UInt8>
    private let rejectDuplicateKeys: Bool
    private var index = 0
    private var line = 1

    private init(buffer: UnsafeBufferPointer<UInt8>, rejectDuplicateKeys: Bool) {
        self.buffer = buffer
        self.rejectDuplicateKeys = rejectDuplicateKeys
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(line: line, message: message)
    }

    private func describeCurrent() -> String {
        guard index < buffer.count else { return "end of input" }
        let byte = buffer[index]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func skipWhitespace() {
        while index < buffer.count {
            switch buffer[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A:
                index += 1
                line += 1
            default: return
            }
        }
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONValue {
        guard index < buffer.count else { throw error("unexpected end of input, expected a JSON value") }
        switch buffer[index] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error("unexpected \(describeCurrent()), expected a JSON value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= buffer.count else { throw error("invalid literal, expected \(literal)") }
        let start = literal.utf8Start
        for i in 0..<count where buffer[index + i] != start[i] {
            throw error("invalid literal, expected \(literal)")
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONObject {
        guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        index += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "}") {
            index += 1
            return object
        }
        while true {
            skipWhitespace()
            guard index < buffer.count, buffer[index] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()), expected a string key")
            }
            let keyLine = line
            let key = try parseString()
            skipWhitespace()
            guard index < buffer.count, buffer[index] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()), expected ':' after key")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if object.count > 0, let existing = object.index(of: key) {
                if rejectDuplicateKeys {
                    throw SyntaxError(line: keyLine, message: "duplicate key \(JSONWriter.quoted(key))")
                }
                object.replaceValue(at: existing, with: value)
            } else {
                object.append(key, value, line: keyLine)
            }
            skipWhitespace()
            guard index < buffer.count else { throw error("unexpected end of input, expected ',' or '}'") }
            switch buffer[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return object
            default: throw error("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONArray {
        guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        index += 1  // [
        var array = JSONArray()
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "]") {
            index += 1
            return array
        }
        while true {
            skipWhitespace()
            let elementLine = line
            array.append(try parseValue(depth: depth), line: elementLine)
            skipWhitespace()
            guard index < buffer.count else { throw error("unexpected end of input, expected ',' or ']'") }
            switch buffer[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return array
            default: throw error("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = index
        if buffer[index] == UInt8(ascii: "-") { index += 1 }
        guard index < buffer.count, isDigit(buffer[index]) else { throw error("invalid number, expected a digit") }
        if buffer[index] == UInt8(ascii: "0") {
            index += 1
            if index < buffer.count, isDigit(buffer[index]) { throw error("invalid number, leading zero") }
        } else {
            while index < buffer.count, isDigit(buffer[index]) { index += 1 }
        }
        if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
            index += 1
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw error("invalid number, expected a digit after '.'")
            }
            while index < buffer.count, isDigit(buffer[index]) { index += 1 }
        }
        if index < buffer.count, buffer[index] == UInt8(ascii: "e") || buffer[index] == UInt8(ascii: "E") {
            index += 1
            if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw error("invalid number, expected a digit in the exponent")
            }
            while index < buffer.count, isDigit(buffer[index]) { index += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                let text = try validatedString(start..<index)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character 0x\(String(byte, radix: 16)) in string") }
            index += 1
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: buffer[start..<index]))
        while index < buffer.count {
            let byte = buffer[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < buffer.count else { break }
                let escape = buffer[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escape)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    index -= 1
                    throw error("invalid escape \\\(describeCurrent()) in string")
                }
            default:
                if byte < 0x20 { throw error("control character 0x\(String(byte, radix: 16)) in string") }
                bytes.append(byte)
                index += 1
            }
        }
        throw error("unexpected end of input in string")
    }

    private func validatedString(_ range: Range<Int>) throws(SyntaxError) -> String {
        let slice = UnsafeBufferPointer(rebasing: buffer[range])
        // ASCII needs no validation.
        if !slice.contains(where: { $0 >= 0x80 }) {
            return String(decoding: slice, as: UTF8.self)
        }
        guard let text = String(validating: slice, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        return text
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt16 {
        guard index + 4 <= buffer.count else { throw error("unexpected end of input in \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = buffer[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private mutating func parseUnicodeEscape() throws(SyntaxError) -> Unicode.Scalar {
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            guard index + 2 <= buffer.count, buffer[index] == UInt8(ascii: "\\"), buffer[index + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate \\u\(String(first, radix: 16, uppercase: true)) in string") }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw error("invalid low surrogate \\u\(String(second, radix: 16, uppercase: true)) in string")
            }
            let code = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            return Unicode.Scalar(code)!
        }
        if (0xDC00...0xDFFF).contains(first) {
            throw error("unpaired surrogate \\u\(String(first, radix: 16, uppercase: true)) in string")
        }
        return Unicode.Scalar(first)!
    }
}
