// The recursive-descent parser of label selector text, as upstream's labels.Parser, with the
// same error texts.

/// Turns selector tokens into requirements.
struct SelectorParser {
    enum Context { case keyAndOperator, values }

    let tokens: [SelectorToken]
    var position = 0

    init(tokens: [SelectorToken]) {
        self.tokens = tokens
    }

    /// In a value position the keywords `in` and `notin` are plain identifiers.
    private func asContext(_ token: SelectorToken, _ context: Context) -> SelectorToken {
        guard context == .values else { return token }
        switch token {
        case .in: return .identifier("in")
        case .notIn: return .identifier("notin")
        default: return token
        }
    }

    private func lookahead(_ context: Context) -> SelectorToken {
        asContext(tokens[position], context)
    }

    private mutating func consume(_ context: Context) -> SelectorToken {
        position += 1
        return asContext(tokens[position - 1], context)
    }

    private static func isIdentifier(_ token: SelectorToken) -> Bool {
        if case .identifier = token { return true }
        return false
    }

    mutating func parse() throws(LabelSelectorParseError) -> [LabelSelectorExpression.Requirement] {
        var requirements: [LabelSelectorExpression.Requirement] = []
        while true {
            let token = lookahead(.values)
            switch token {
            case .identifier, .doesNotExist:
                let requirement: LabelSelectorExpression.Requirement
                do {
                    requirement = try parseRequirement()
                } catch {
                    throw LabelSelectorParseError(syntax: "unable to parse requirement: \(error.description)")
                }
                requirements.append(requirement)
                let next = consume(.values)
                switch next {
                case .endOfString:
                    return requirements
                case .comma:
                    let after = lookahead(.values)
                    if !Self.isIdentifier(after) && after != .doesNotExist {
                        throw LabelSelectorParseError(syntax: "found '\(after.literal)', expected: identifier after ','")
                    }
                default:
                    throw LabelSelectorParseError(syntax: "found '\(next.literal)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw LabelSelectorParseError(syntax: "found '\(token.literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(LabelSelectorParseError) -> LabelSelectorExpression.Requirement {
        var op: LabelSelectorExpression.Operator?
        var token = consume(.values)
        if token == .doesNotExist {
            op = .doesNotExist
            token = consume(.values)
        }
        guard case .identifier(let key) = token else {
            throw LabelSelectorParseError(syntax: "found '\(token.literal)', expected: identifier")
        }
        let keyProblems = NameValidation.labelKey(key)
        if !keyProblems.isEmpty {
            throw LabelSelectorParseError(problems: [.invalid(.root, .string(key), keyProblems.joined(separator: "; "))])
        }
        let next = lookahead(.values)
        if next == .endOfString || next == .comma {
            return try LabelSelectorExpression.Requirement(key: key, operator: op ?? .exists, values: [])
        }
        if op == .doesNotExist {
            return try LabelSelectorExpression.Requirement(key: key, operator: .doesNotExist, values: [])
        }
        let binary = try parseOperator()
        let values: [String]
        switch binary {
        case .in, .notIn: values = try parseValues()
        default: values = try parseExactValue()
        }
        return try LabelSelectorExpression.Requirement(key: key, operator: binary, values: Array(Set(values)).sorted())
    }

    private mutating func parseOperator() throws(LabelSelectorParseError) -> LabelSelectorExpression.Operator {
        let token = consume(.keyAndOperator)
        switch token {
        case .in: return .in
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default:
            throw LabelSelectorParseError(syntax: "found '\(token.literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    private mutating func parseValues() throws(LabelSelectorParseError) -> [String] {
        let open = consume(.values)
        guard open == .openParenthesis else {
            throw LabelSelectorParseError(syntax: "found '\(open.literal)' expected: '('")
        }
        let token = lookahead(.values)
        switch token {
        case .identifier, .comma:
            let values = try parseIdentifierList()
            if consume(.values) != .closedParenthesis {
                throw LabelSelectorParseError(syntax: "found '\(token.literal)', expected: ')'")
            }
            return values
        case .closedParenthesis:
            _ = consume(.values)
            return [""]
        default:
            throw LabelSelectorParseError(syntax: "found '\(token.literal)', expected: ',', ')' or identifier")
        }
    }

    private mutating func parseIdentifierList() throws(LabelSelectorParseError) -> [String] {
        var values: [String] = []
        while true {
            let token = consume(.values)
            switch token {
            case .identifier(let value):
                values.append(value)
                let next = lookahead(.values)
                switch next {
                case .comma: continue
                case .closedParenthesis: return values
                default: throw LabelSelectorParseError(syntax: "found '\(next.literal)', expected: ',' or ')'")
                }
            case .comma:
                // `(,` `,,` and `,)` stand for empty values.
                if values.isEmpty { values.append("") }
                let next = lookahead(.values)
                if next == .closedParenthesis {
                    values.append("")
                    return values
                }
                if next == .comma { values.append("") }
            default:
                throw LabelSelectorParseError(syntax: "found '\(token.literal)', expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws(LabelSelectorParseError) -> [String] {
        let next = lookahead(.values)
        if next == .endOfString || next == .comma { return [""] }
        let token = consume(.values)
        if case .identifier(let value) = token { return [value] }
        throw LabelSelectorParseError(syntax: "found '\(token.literal)', expected: identifier")
    }
}
