// Parsing the string form of a label selector, as upstream's labels.Parse (the work is done by
// SelectorLexer and SelectorParser).

extension LabelSelectorExpression {
    /// Parses the string form, e.g. `app=web,tier in (frontend,edge),!canary`.
    ///
    /// Whitespace separates tokens; keys must be valid label keys and values valid label values.
    /// - Throws: ``LabelSelectorParseError`` with upstream's message, e.g.
    ///   `unable to parse requirement: found ')', expected: identifier`.
    public init(parsing text: String) throws(LabelSelectorParseError) {
        var parser = SelectorParser(tokens: SelectorLexer.tokens(of: text))
        self.init(requirements: try parser.parse())
    }
}
