// The string form of field selectors (`?fieldSelector=spec.nodeName=node-1`), parsed and matched as
// k8s.io/apimachinery/pkg/fields does: `key=value`, `key==value`, `key!=value`, joined by `,`,
// with `\,`, `\=` and `\\` escapes in values.

/// A parsed field selector: every term must hold (AND). An empty selector matches everything.
public struct FieldSelectorExpression: Sendable, Hashable, CustomStringConvertible {
    /// One `field=value` or `field!=value` condition.
    public struct Term: Sendable, Hashable, CustomStringConvertible {
        /// The field, e.g. `spec.nodeName`.
        public let field: String
        /// The value, unescaped.
        public let value: String
        /// True for `!=`.
        public let negated: Bool

        public init(field: String, value: String, negated: Bool) {
            self.field = field
            self.value = value
            self.negated = negated
        }

        /// Whether `fields` satisfy the term; a missing field reads as the empty string.
        public func matches(_ fields: [String: String]) -> Bool {
            (fields[field] ?? "" == value) != negated
        }

        public var description: String {
            field + (negated ? "!=" : "=") + FieldSelectorExpression.escape(value)
        }
    }

    /// The terms, in the order upstream keeps them (sorted by their text).
    public let terms: [Term]

    public init(terms: [Term]) {
        self.terms = terms
    }

    /// Whether `fields` satisfy every term.
    public func matches(_ fields: [String: String]) -> Bool {
        terms.allSatisfy { $0.matches(fields) }
    }

    public var description: String {
        terms.map(\.description).joined(separator: ",")
    }

    /// Parses the string form.
    ///
    /// - Throws: ``FieldSelectorParseError`` with upstream's message, e.g.
    ///   `invalid selector: 'a'; can't understand 'a'`.
    public init(parsing text: String) throws(FieldSelectorParseError) {
        var terms: [Term] = []
        for part in Self.splitTerms(text).sorted() where !part.isEmpty {
            guard let (field, op, rawValue) = Self.splitTerm(part) else {
                throw FieldSelectorParseError(description: "invalid selector: '\(text)'; can't understand '\(part)'")
            }
            let value = try Self.unescape(rawValue)
            terms.append(Term(field: field, value: value, negated: op == "!="))
        }
        self.init(terms: terms)
    }

    /// Splits at unescaped commas, keeping escapes in the pieces.
    static func splitTerms(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var terms: [String] = []
        var current = ""
        var inEscape = false
        for character in text {
            if inEscape {
                inEscape = false
            } else if character == "\\" {
                inEscape = true
            } else if character == "," {
                terms.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        terms.append(current)
        return terms
    }

    /// Splits a term at the first operator (`!=`, `==` or `=`).
    static func splitTerm(_ term: String) -> (String, String, String)? {
        var index = term.startIndex
        while index < term.endIndex {
            let remaining = term[index...]
            for op in ["!=", "==", "="] where remaining.hasPrefix(op) {
                return (String(term[..<index]), op, String(remaining.dropFirst(op.count)))
            }
            index = term.index(after: index)
        }
        return nil
    }

    /// Removes the escapes `\\`, `\,` and `\=`; other escapes and bare `,` or `=` are errors.
    static func unescape(_ value: String) throws(FieldSelectorParseError) -> String {
        var result = ""
        var inEscape = false
        for character in value {
            if inEscape {
                guard character == "\\" || character == "," || character == "=" else {
                    throw FieldSelectorParseError(description: "invalid field selector: invalid escape sequence: \\\(character)")
                }
                result.append(character)
                inEscape = false
                continue
            }
            switch character {
            case "\\": inEscape = true
            case ",", "=":
                throw FieldSelectorParseError(description: "invalid field selector: unescaped character in value: \(character)")
            default: result.append(character)
            }
        }
        if inEscape {
            throw FieldSelectorParseError(description: "invalid field selector: invalid escape sequence: \\")
        }
        return result
    }

    /// Escapes `\`, `,` and `=` in a value.
    static func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
