// The error of label selector parsing and conversion.

/// Why a label selector was rejected: a syntax error with upstream's wording, or invalid
/// requirements (bad key, bad value, wrong number of values).
public struct LabelSelectorParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The syntax problem, e.g. `found ')', expected: identifier`, when it is one.
    public let syntax: String?
    /// The invalid parts of a requirement, when the syntax was fine.
    public let problems: [ValidationError]

    init(syntax: String) {
        self.syntax = syntax
        self.problems = []
    }

    init(problems: [ValidationError]) {
        self.syntax = nil
        self.problems = problems
    }

    public var description: String {
        if let syntax { return syntax }
        let list = problems.map(\.description)
        return list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
    }
}
