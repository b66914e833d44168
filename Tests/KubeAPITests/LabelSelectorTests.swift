import Testing
import KubeAPI

/// Upstream's TestSelectorMatches: a selector, labels, and whether they match.
private let matchTable: [(String, [String: String], Bool)] = [
    ("", ["x": "y"], true),
    ("x=y", ["x": "y"], true),
    ("x=y,z=w", ["x": "y", "z": "w"], true),
    ("x!=y,z!=w", ["x": "z", "z": "a"], true),
    ("notin=in", ["notin": "in"], true),
    ("x", ["x": "z"], true),
    ("!x", ["y": "z"], true),
    ("x>1", ["x": "2"], true),
    ("x<1", ["x": "0"], true),
    ("x in (y,z)", ["x": "z"], true),
    ("x notin (y,z)", ["x": "a"], true),
    ("x notin (y,z)", [:], true),
    ("x==y", ["x": "y"], true),
    ("x=", ["x": ""], true),
    ("x in (,a)", ["x": ""], true),
    ("x=z", [:], false),
    ("x=y", ["x": "z"], false),
    ("x=y,z=w", ["x": "w", "z": "w"], false),
    ("x!=y,z!=w", ["x": "z", "z": "w"], false),
    ("x", ["y": "z"], false),
    ("!x", ["x": "z"], false),
    ("x>1", ["x": "0"], false),
    ("x<1", ["x": "2"], false),
    ("x>1", ["x": "a"], false),
    ("x in (y,z)", ["x": "a"], false),
    ("x in (y,z)", [:], false),
    ("x notin (y,z)", ["x": "y"], false),
]

@Test(arguments: matchTable)
func labelSelectorStringMatchesAsUpstream(selector: String, labels: [String: String], matches: Bool) throws {
    #expect(try LabelSelectorExpression(parsing: selector).matches(labels) == matches)
}

/// Selectors that parse, and how upstream prints them back (sorted keys and values).
private let goodSelectorTable: [(String, String)] = [
    ("x=a,y=b,z=c", "x=a,y=b,z=c"),
    ("", ""),
    ("x!=a,y=b", "x!=a,y=b"),
    ("x=", "x="),
    ("x= ", "x="),
    ("x=,z= ", "x=,z="),
    ("x= ,z= ", "x=,z="),
    ("!x", "!x"),
    ("x>1", "x>1"),
    ("x>1,z<5", "x>1,z<5"),
    ("z,x", "x,z"),
    ("x in (c,b,a)", "x in (a,b,c)"),
    ("x notin (a)", "x notin (a)"),
    ("x in (in)", "x in (in)"),
    ("w in (a,a)", "w in (a)"),
    ("  app = web , tier  in  ( edge , frontend )  ", "app=web,tier in (edge,frontend)"),
    ("example.com/role==db", "example.com/role==db"),
]

@Test(arguments: goodSelectorTable)
func labelSelectorStringParsesAndPrintsCanonically(selector: String, printed: String) throws {
    #expect(try LabelSelectorExpression(parsing: selector).description == printed)
}

/// Selectors that upstream rejects, with its message.
private let badSelectorTable: [(String, String)] = [
    ("x=a||y=b", "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
    ("x==a==b", "found '==', expected: ',' or 'end of string'"),
    ("!x=a", "found '=', expected: ',' or 'end of string'"),
    ("x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"),
    ("x in", "unable to parse requirement: found '' expected: '('"),
    ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("x=a,", "found '', expected: identifier after ','"),
    (",x=a", "found ',', expected: !, identifier, or 'end of string'"),
    ("x (a)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"),
    ("x in ()a", "found 'a', expected: ',' or 'end of string'"),
]

@Test(arguments: badSelectorTable)
func badLabelSelectorStringIsRejectedWithUpstreamMessage(selector: String, message: String) {
    do {
        let parsed = try LabelSelectorExpression(parsing: selector)
        Issue.record("\(selector) parsed as \(parsed)")
    } catch {
        #expect(error.description == message)
    }
}

@Test func invalidLabelKeyInSelectorNamesTheKeyRule() {
    #expect(throws: LabelSelectorParseError.self) { try LabelSelectorExpression(parsing: "-bad=x") }
    #expect(throws: LabelSelectorParseError.self) { try LabelSelectorExpression(parsing: "a/b/c=x") }
}

private func requirement(_ key: String, _ op: String, _ values: [String]? = nil) -> MetaV1.LabelSelectorRequirement {
    MetaV1.LabelSelectorRequirement(key: key, operator: op, values: values)
}

@Test func labelSelectorObjectMatchesLabelsAndExpressionsTogether() {
    let selector = MetaV1.LabelSelector(
        matchExpressions: [
            requirement("tier", "In", ["frontend", "edge"]),
            requirement("env", "NotIn", ["dev"]),
            requirement("app", "Exists"),
            requirement("canary", "DoesNotExist"),
        ],
        matchLabels: ["team": "web"])
    #expect(selector.matches(["team": "web", "tier": "edge", "app": "shop", "env": "prod"]))
    #expect(selector.matches(["team": "web", "tier": "frontend", "app": "shop"]))
    #expect(!selector.matches(["team": "web", "tier": "edge", "app": "shop", "env": "dev"]))
    #expect(!selector.matches(["team": "web", "tier": "edge", "app": "shop", "canary": "1"]))
    #expect(!selector.matches(["team": "ops", "tier": "edge", "app": "shop"]))
    #expect(!selector.matches(["team": "web", "tier": "backend", "app": "shop"]))
    #expect(!selector.matches(["team": "web", "tier": "edge"]))
}

@Test func emptyLabelSelectorObjectMatchesEverything() {
    #expect(MetaV1.LabelSelector().matches([:]))
    #expect(MetaV1.LabelSelector(matchLabels: [:]).matches(["a": "b"]))
}

@Test func labelSelectorObjectWithUnknownOperatorMatchesNothing() throws {
    let selector = MetaV1.LabelSelector(matchExpressions: [requirement("a", "Equals", ["b"])])
    #expect(!selector.matches(["a": "b"]))
    #expect(throws: LabelSelectorParseError.self) { try selector.expression() }
}

@Test func labelSelectorObjectConvertsToStringForm() throws {
    let selector = MetaV1.LabelSelector(
        matchExpressions: [requirement("tier", "In", ["frontend", "edge"]), requirement("canary", "DoesNotExist")],
        matchLabels: ["team": "web"])
    #expect(try selector.expression().description == "!canary,team=web,tier in (edge,frontend)")
}

/// Upstream's ValidateLabelSelector rules: each bad selector gives exactly these messages.
private let selectorValidationTable: [(MetaV1.LabelSelector, [String])] = [
    (MetaV1.LabelSelector(matchExpressions: [requirement("a", "In")]),
     ["selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
    (MetaV1.LabelSelector(matchExpressions: [requirement("a", "NotIn", [])]),
     ["selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
    (MetaV1.LabelSelector(matchExpressions: [requirement("a", "Exists", ["x"])]),
     ["selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]),
    (MetaV1.LabelSelector(matchExpressions: [requirement("a", "DoesNotExist", ["x"])]),
     ["selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]),
    (MetaV1.LabelSelector(matchExpressions: [requirement("a", "Gt", ["1"])]),
     ["selector.matchExpressions[0].operator: Invalid value: \"Gt\": not a valid selector operator"]),
    (MetaV1.LabelSelector(matchLabels: ["app": "-web"]),
     ["selector.matchLabels: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
    (MetaV1.LabelSelector(matchExpressions: [requirement("a", "In", ["x"]), requirement("b", "Exists")]), []),
]

@Test(arguments: selectorValidationTable)
func labelSelectorValidationFollowsUpstreamRules(selector: MetaV1.LabelSelector, messages: [String]) {
    #expect(selector.validate(at: FieldPath("selector")).map(\.description) == messages)
}

/// Field selectors: the text, fields, and whether they match.
private let fieldMatchTable: [(String, [String: String], Bool)] = [
    ("spec.nodeName=node-1", ["spec.nodeName": "node-1"], true),
    ("spec.nodeName==node-1", ["spec.nodeName": "node-1"], true),
    ("spec.nodeName!=node-1", ["spec.nodeName": "node-2"], true),
    ("spec.nodeName=node-1,status.phase!=Running", ["spec.nodeName": "node-1", "status.phase": "Pending"], true),
    ("spec.nodeName=node-1,status.phase!=Running", ["spec.nodeName": "node-1", "status.phase": "Running"], false),
    ("spec.nodeName=", [:], true),
    ("spec.nodeName=node-1", [:], false),
    ("metadata.name=a\\,b", ["metadata.name": "a,b"], true),
    ("", ["x": "y"], true),
]

@Test(arguments: fieldMatchTable)
func fieldSelectorMatchesAsUpstream(selector: String, fields: [String: String], matches: Bool) throws {
    #expect(try FieldSelectorExpression(parsing: selector).matches(fields) == matches)
}

/// Field selectors upstream rejects, with its message.
private let badFieldSelectorTable: [(String, String)] = [
    ("a", "invalid selector: 'a'; can't understand 'a'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a=b\\x", "invalid field selector: invalid escape sequence: \\x"),
    ("a=b=c", "invalid field selector: unescaped character in value: ="),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
]

@Test(arguments: badFieldSelectorTable)
func badFieldSelectorIsRejectedWithUpstreamMessage(selector: String, message: String) {
    #expect(throws: FieldSelectorParseError(description: message)) { try FieldSelectorExpression(parsing: selector) }
}

@Test func fieldSelectorPrintsSortedTermsWithEscapes() throws {
    #expect(try FieldSelectorExpression(parsing: "b!=2,a=x\\=y").description == "a=x\\=y,b!=2")
}
