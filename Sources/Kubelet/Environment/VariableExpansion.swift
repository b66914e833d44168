// `$(VAR)` references in env values, command and args, expanded exactly as upstream's
// `third_party/forked/golang/expansion` does: `$(NAME)` is replaced by the variable's value when
// it is defined and left as written when it is not; `$$` is an escaped `$`; any other `$` (bare,
// before a non-`(`, or at the end) passes through unchanged, and so does an unterminated `$(`.

/// The `$(VAR)` expansion syntax of container env values, command and args.
public enum VariableExpansion {
    /// Expands every `$(NAME)` in `input` with `lookup(NAME)`; a name `lookup` does not know
    /// (returns `nil`) is kept as `$(NAME)`. `$$` becomes `$`.
    ///
    /// Works on UTF-8 bytes like upstream. One deliberate difference: where upstream copies the
    /// byte after a lone `$` as a Latin-1 rune (mangling a multi-byte character), the character is
    /// passed through unchanged.
    public static func expand(_ input: String, lookup: (String) -> String?) -> String {
        let bytes = Array(input.utf8)
        guard bytes.contains(dollar) else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var checkpoint = 0
        var cursor = 0
        while cursor < bytes.count {
            if bytes[cursor] == dollar && cursor + 1 < bytes.count {
                output.append(contentsOf: bytes[checkpoint..<cursor])
                let next = cursor + 1
                switch bytes[next] {
                case dollar:
                    // An escaped operator: `$$` is one literal `$`.
                    output.append(dollar)
                    cursor = next
                case opener:
                    if let closer = bytes[(next + 1)...].firstIndex(of: closerByte) {
                        let name = String(decoding: bytes[(next + 1)..<closer], as: UTF8.self)
                        if let value = lookup(name) {
                            output.append(contentsOf: value.utf8)
                        } else {
                            output.append(contentsOf: "$(\(name))".utf8)
                        }
                        cursor = closer
                    } else {
                        // An incomplete reference stays as written; scanning goes on after `$(`.
                        output.append(contentsOf: [dollar, opener])
                        cursor = next
                    }
                default:
                    output.append(contentsOf: [dollar, bytes[next]])
                    cursor = next
                }
                checkpoint = cursor + 1
            }
            cursor += 1
        }
        output.append(contentsOf: bytes[min(checkpoint, bytes.count)...])
        return String(decoding: output, as: UTF8.self)
    }

    /// Expands with the first of `contexts` that defines a name (upstream's `MappingFuncFor`).
    public static func expand(_ input: String, using contexts: [String: String]...) -> String {
        expand(input) { name in
            for context in contexts {
                if let value = context[name] { return value }
            }
            return nil
        }
    }

    private static let dollar = UInt8(ascii: "$")
    private static let opener = UInt8(ascii: "(")
    private static let closerByte = UInt8(ascii: ")")
}
