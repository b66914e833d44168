// The tokens of label selector text and the lexer that finds them, as upstream's labels.Lexer.

/// A token of selector text.
enum SelectorToken: Equatable {
    case error(String)
    case endOfString
    case closedParenthesis
    case comma
    case doesNotExist
    case doubleEquals
    case equals
    case greaterThan
    case identifier(String)
    case `in`
    case lessThan
    case notEquals
    case notIn
    case openParenthesis

    /// The token text as upstream's messages show it.
    var literal: String {
        switch self {
        case .error(let message): message
        case .endOfString: ""
        case .closedParenthesis: ")"
        case .comma: ","
        case .doesNotExist: "!"
        case .doubleEquals: "=="
        case .equals: "="
        case .greaterThan: ">"
        case .identifier(let name): name
        case .in: "in"
        case .lessThan: "<"
        case .notEquals: "!="
        case .notIn: "notin"
        case .openParenthesis: "("
        }
    }

    static func keywordOrSymbol(_ text: String) -> SelectorToken? {
        switch text {
        case ")": .closedParenthesis
        case ",": .comma
        case "!": .doesNotExist
        case "==": .doubleEquals
        case "=": .equals
        case ">": .greaterThan
        case "in": .in
        case "<": .lessThan
        case "!=": .notEquals
        case "notin": .notIn
        case "(": .openParenthesis
        default: nil
        }
    }
}

/// Splits selector text into tokens: whitespace separates, runs of `=!()<>,` form operators.
enum SelectorLexer {
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    static func isSpecialSymbol(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: ","), UInt8(ascii: ">"), UInt8(ascii: "<"):
            return true
        default:
            return false
        }
    }

    /// All tokens, ending with `.endOfString`.
    static func tokens(of text: String) -> [SelectorToken] {
        let bytes = Array(text.utf8)
        var position = 0
        var tokens: [SelectorToken] = []
        while true {
            while position < bytes.count && isWhitespace(bytes[position]) { position += 1 }
            guard position < bytes.count else {
                tokens.append(.endOfString)
                return tokens
            }
            if isSpecialSymbol(bytes[position]) {
                // The longest run of symbols that still spells an operator.
                var buffer: [UInt8] = []
                var last: SelectorToken?
                while position < bytes.count && isSpecialSymbol(bytes[position]) {
                    buffer.append(bytes[position])
                    if let token = SelectorToken.keywordOrSymbol(String(decoding: buffer, as: UTF8.self)) {
                        last = token
                        position += 1
                    } else if last != nil {
                        break
                    } else {
                        position += 1
                    }
                }
                tokens.append(last ?? .error("error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'"))
            } else {
                let start = position
                while position < bytes.count && !isSpecialSymbol(bytes[position]) && !isWhitespace(bytes[position]) {
                    position += 1
                }
                let word = String(decoding: bytes[start..<position], as: UTF8.self)
                tokens.append(SelectorToken.keywordOrSymbol(word) ?? .identifier(word))
            }
        }
    }
}
